// `npm start`: runs the appliance as production runs it, from compiled JavaScript. The server is
// rebundled with esbuild into dist-app/server.js (build/bundle.mjs, in a short-lived child process
// so none of esbuild stays in the server's memory; a fraction of a second), then the bundle runs in
// this same process, exactly as `node dist-app/server.js start` would: its own signal handlers stop
// it cleanly on Ctrl-C or SIGTERM, and its exit codes are this process's (78 for a configuration
// error). Nothing is transpiled at run time.
//
// Without esbuild (an install without devDependencies) an existing bundle runs as it is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The project targets Node.js 26 (the current LTS); older versions still run it, with a warning.
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 26) {
  console.warn(
    `OmniStream targets Node.js 26 (the current LTS); this is Node.js ${process.versions.node}. \`source scripts/node-lts.sh\` fetches Node.js 26 from the npm registry.`,
  );
}

const bundled = new URL('../dist-app/server.js', import.meta.url);

let esbuild = true;
try {
  createRequire(import.meta.url).resolve('esbuild');
} catch {
  esbuild = false;
}
if (esbuild) {
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('../build/bundle.mjs', import.meta.url)), '--server', '--quiet'], {
    stdio: 'inherit',
  });
  // esbuild has printed why.
  if (built.status !== 0) process.exit(built.status ?? 1);
} else if (existsSync(bundled)) {
  console.warn(`esbuild is not installed; running the existing ${fileURLToPath(bundled)} as it is.`);
} else {
  console.error('esbuild is not installed and there is no bundle to run: run `npm install` (with devDependencies) first.');
  process.exit(1);
}
await import(bundled.href);
