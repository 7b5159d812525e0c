// `npm run desktop`: starts the Electron app in development when Electron's binary is present.
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
  console.error('Electron\'s binary is not installed (its download is blocked on this machine). Run the headless appliance with `npm start`, or install Electron with network access: `node node_modules/electron/install.js`.');
  process.exit(1);
}
const res = spawnSync(binary, ['--import', 'tsx', 'main/main.ts'], { stdio: 'inherit' });
process.exit(res.status ?? 1);
