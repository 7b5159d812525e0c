// Compiles the app's entry points with esbuild into dist-app/ (one folder below the app root, like
// server/, so the server's `new URL('../package.json', import.meta.url)` still finds package.json,
// renderer/dist and node_modules/vite):
//   dist-app/server.js           the server as production runs it: `npm start` (scripts/start.mjs),
//                                the desktop app (main/server-entry.ts → server/index.ts) and the
//                                benchmark
//   dist-app/main.js             Electron main process (from main/main.ts)
//   dist-app/preload.cjs         the window's preload script
// npm packages stay external (installed in node_modules, native ones rebuilt for Electron).
// Run: node build/bundle.mjs [--quiet]  (npm run desktop and electron-builder's beforeBuild hook run
// it); `--server` builds the server alone (bundleServer(): scripts/start.mjs, the benchmark).
import { mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const outDir = join(root, 'dist-app');
export const serverBundle = join(outDir, 'server.js');

// CommonJS code in an ESM bundle still gets `require` where it needs it.
const REQUIRE_SHIM =
  "import { createRequire as __omnistreamCreateRequire } from 'node:module'; const require = __omnistreamCreateRequire(import.meta.url);";

const common = (quiet) => ({
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node26',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: quiet ? 'error' : 'warning',
  absWorkingDir: root,
  banner: { js: REQUIRE_SHIM },
});

/**
 * Writes each file beside its destination and renames it into place: a process starting from
 * dist-app/ meanwhile (the benchmark, a test, `npm start`) reads either the old file or the new
 * one, never a half-written or missing one. Returns the paths written.
 */
function writeAtomically(files) {
  for (const { path, contents } of files) {
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, contents);
    renameSync(partial, path);
  }
  return files.map((f) => f.path);
}

async function buildServer(quiet) {
  const result = await build({ ...common(quiet), entryPoints: { server: 'main/server-entry.ts' }, outdir: outDir, write: false });
  return result.outputFiles;
}

/** (Re)builds dist-app/server.js (and its source map) in a fraction of a second. */
export async function bundleServer({ quiet = false } = {}) {
  writeAtomically(await buildServer(quiet));
  return serverBundle;
}

/**
 * Everything the desktop app needs, all rebuilt: the server, the Electron main process and the
 * preload script. Other files in dist-app/ (left by an older build) are removed afterwards, so packaging takes no stale file along.
 */
export async function bundle({ quiet = false } = {}) {
  const main = await build({ ...common(quiet), entryPoints: { main: 'main/main.ts' }, outdir: outDir, write: false });
  const written = new Set(
    writeAtomically([
      ...main.outputFiles,
      ...(await buildServer(quiet)),
      { path: join(outDir, 'preload.cjs'), contents: readFileSync(join(root, 'main', 'preload.cjs')) },
    ]),
  );
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (!written.has(path) && !name.endsWith('.partial')) rmSync(path, { recursive: true, force: true });
  }
  return outDir;
}

// Run as a script (compared through realpath: Node runs the main module from its real path).
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const quiet = process.argv.includes('--quiet');
  if (process.argv.includes('--server')) {
    await bundleServer({ quiet });
  } else {
    await bundle({ quiet });
    if (!quiet) console.log(`bundled into ${outDir}`);
  }
}
