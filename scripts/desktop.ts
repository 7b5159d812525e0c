// `npm run desktop`: starts the Electron app in development when Electron's binary is present.
// The main process is compiled first (build/bundle.mjs → dist-app/main.js: Electron cannot run
// TypeScript); the server then runs from TypeScript under tsx on this Node (OMNISTREAM_NODE), whose
// ABI the installed native modules match.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let binary: string | undefined;
try {
  binary = require('electron') as unknown as string;
} catch {
  binary = undefined;
}
if (!binary || !existsSync(binary)) {
  console.error(
    "Electron's binary is not installed (its download is blocked on this machine). Run the headless appliance with `npm start`, or install Electron with network access: `node node_modules/electron/install.js`.",
  );
  process.exit(1);
}
if (!existsSync(new URL('../renderer/dist/index.html', import.meta.url))) {
  const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'renderer', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const { bundle } = await import('../build/bundle.mjs');
await bundle({ quiet: true });
const res = spawnSync(binary, ['dist-app/main.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, OMNISTREAM_NODE: process.execPath },
});
process.exit(res.status ?? 1);
