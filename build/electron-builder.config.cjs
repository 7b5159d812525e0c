// electron-builder configuration: a Windows NSIS installer, a macOS dmg, a Linux AppImage and deb.
//   npx electron-builder --config build/electron-builder.config.cjs --win   (on Windows)
//   npx electron-builder --config build/electron-builder.config.cjs --mac   (on macOS)
//   npx electron-builder --config build/electron-builder.config.cjs --linux (on Linux)
// Build each platform on that platform: native modules (better-sqlite3, argon2, sharp, ngrok) are
// rebuilt or picked for Electron there. Packaging downloads Electron and its headers, so it needs
// the internet (see README, "Desktop app").
// OMNISTREAM_UPDATE_URL at build time bakes an update feed (electron-updater, generic provider) into
// the app; without it, installs read the feed from desktop.json in the user-data folder.
const updateUrl = process.env.OMNISTREAM_UPDATE_URL;

/** @type {import('app-builder-lib').Configuration} */
module.exports = {
  appId: 'dev.omnistream.appliance',
  productName: 'OmniStream',
  executableName: 'omnistream',
  copyright: 'Copyright © OmniStream',
  directories: { output: 'dist-desktop', buildResources: 'build' },
  // Electron starts the bundled main process, not package.json's TypeScript entry.
  extraMetadata: { main: 'dist-app/main.js' },
  // Builds the web UI and the bundles (build/bundle.mjs) before packaging.
  beforeBuild: 'build/before-build.cjs',
  files: ['package.json', 'dist-app/**', '!dist-app/**/*.map', 'renderer/dist/**', 'resources/tray*.png', 'resources/icons/**'],
  // Native modules are rebuilt for Electron's Node ABI at package time (@electron/rebuild).
  npmRebuild: true,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  // Native binaries cannot load from inside the asar archive.
  asar: true,
  asarUnpack: [
    'node_modules/better-sqlite3/**',
    'node_modules/argon2/**',
    'node_modules/sharp/**',
    'node_modules/@img/**',
    'node_modules/@ngrok/**',
  ],
  publish: updateUrl ? [{ provider: 'generic', url: updateUrl }] : null,
  artifactName: '${productName}-${version}-${os}-${arch}.${ext}',

  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'resources/icon.ico',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowElevation: true,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
    shortcutName: 'OmniStream',
    runAfterFinish: true,
    // Keep the database, media and backups (in %APPDATA%\OmniStream) when uninstalling.
    deleteAppDataOnUninstall: false,
    installerIcon: 'resources/icon.ico',
    uninstallerIcon: 'resources/icon.ico',
    // Windows Firewall: let agents' devices on the LAN reach port 3000 (private networks only).
    include: 'build/installer.nsh',
  },

  mac: {
    target: [{ target: 'dmg', arch: ['x64', 'arm64'] }],
    icon: 'resources/icon.icns',
    category: 'public.app-category.business',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: {
      // macOS 15 asks before an app talks to the local network (LAN browsers, mDNS).
      NSLocalNetworkUsageDescription: "OmniStream serves the shared inbox to your team's devices on the office network.",
      NSBonjourServices: ['_http._tcp'],
      NSMicrophoneUsageDescription: 'OmniStream records voice notes you send to customers.',
    },
  },
  dmg: {
    title: 'OmniStream ${version}',
    contents: [
      { x: 130, y: 220 },
      { x: 410, y: 220, type: 'link', path: '/Applications' },
    ],
  },

  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ],
    icon: 'resources/icons',
    category: 'Office',
    synopsis: 'Customer messaging appliance: WhatsApp, Instagram, Messenger and email in one inbox',
    description: 'OmniStream runs the shared customer inbox on this computer and serves it to agents on the office network.',
    maintainer: 'OmniStream <hello@omnistream.dev>',
    desktop: { entry: { StartupWMClass: 'OmniStream', Keywords: 'whatsapp;crm;inbox;' } },
  },
  deb: {
    depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'],
  },
};
