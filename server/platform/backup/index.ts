// Backups of the appliance (see backup-files.ts for the format). Callers outside this folder
// (the platform service, prestart, the backup/restore command lines, tests) import from here.
export * from './backup-files.js';
export { createBackup, listBackups, pruneBackups, backupPath } from './backup-create.js';
export { verifyBackup } from './backup-verify.js';
export * from './backup-restore.js';
