// Context-isolated preload: exposes only what the window needs (nothing privileged yet).
const { contextBridge } = require('electron');
contextBridge.exposeInMainWorld('omnistreamDesktop', { isDesktop: true, platform: process.platform });
