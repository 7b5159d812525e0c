// electron-builder's beforeBuild hook: builds the web UI (renderer/dist) and the desktop bundles
// (dist-app/) that the package contains. Returning nothing lets electron-builder go on to install
// and rebuild the production dependencies for Electron.
const { spawnSync } = require('node:child_process');
const { dirname, join } = require('node:path');

module.exports = async function beforeBuild(context) {
  const root = join(__dirname, '..');
  const vite = spawnSync(
    process.execPath,
    [join(dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js'), 'build', 'renderer', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (vite.status !== 0) throw new Error('The web UI did not build (vite build renderer)');
  const { bundle } = await import('./bundle.mjs');
  await bundle({ quiet: true });
  console.log(`  • bundled the main process and server for ${context.platform.nodeName} ${context.arch}`);
};
