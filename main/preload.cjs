// Context-isolated, sandboxed preload: the window is the same web UI agents use in their browsers,
// talking to the local server over HTTP, so it needs nothing privileged. It only learns that it
// runs in the desktop app (to show desktop-only hints).
const { contextBridge } = require('electron');

const versionArg = process.argv.find((a) => a.startsWith('--omnistream-version='));
contextBridge.exposeInMainWorld(
  'omnistreamDesktop',
  Object.freeze({
    isDesktop: true,
    platform: process.platform,
    version: versionArg ? versionArg.slice('--omnistream-version='.length) : null,
  }),
);
