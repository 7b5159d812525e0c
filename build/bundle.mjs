// Compiles the desktop app's entry points with esbuild into dist-app/ (one folder below the app
// root, like server/, so the server's `new URL('../package.json', import.meta.url)` still finds
// package.json and renderer/dist):
//   dist-app/main.js     Electron main process (from main/main.ts)
//   dist-app/server.js   the server as the desktop app runs it (main/server-entry.ts → server/index.ts)
//   dist-app/preload.cjs the window's preload script
// npm packages stay external (installed in node_modules, native ones rebuilt for Electron).
// Run: node build/bundle.mjs  (npm run desktop and electron-builder's beforeBuild hook run it).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const outDir = join(root, 'dist-app');

export async function bundle({ quiet = false } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning', absWorkingDir: root,
    // CommonJS packages imported from ESM still get `require` where they need it.
    banner: { js: "import { createRequire as __omnistreamCreateRequire } from 'node:module'; const require = __omnistreamCreateRequire(import.meta.url);" },
  };
  await build({ ...common, entryPoints: { main: 'main/main.ts', server: 'main/server-entry.ts' }, outdir: outDir });
  copyFileSync(join(root, 'main', 'preload.cjs'), join(outDir, 'preload.cjs'));
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundle();
  console.log(`bundled into ${outDir}`);
}
