// The server as the desktop app runs it (a child process of the Electron shell). The headless
// start (server/index.ts) already applies staged restores and backs up before migrations.
export { EXIT_CANNOT_START } from '../server/platform/prestart.js';

await import('../server/index.js');
