// `npm run restore -- FILE`: replaces the appliance's database, media, secrets and settings with a
// backup's, after verifying it completely. Run it with the server stopped. A backup of the current
// data is taken first (in DATA_DIR/backups, reason "pre-restore"), so a mistaken restore can be undone.
//   npm run restore -- FILE           a path, or a backup name from DATA_DIR/backups
//   npm run restore -- FILE --force   also restore a backup made by another installation
//   npm run restore -- --staged       apply the restore chosen in the web UI (while stopped)
//   npm run restore -- --list         list the backups in DATA_DIR/backups
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '../server/config.js';
import { knownMigrations } from '../server/composition.js';
import { VERSION as version } from '../server/version.js';
import {
  applyPendingRestore,
  BackupRejectedError,
  backupsDir,
  listBackups,
  pendingRestore,
  restoreBackup,
} from '../server/platform/backup/index.js';

const USAGE = 'Usage: npm run restore -- FILE [--force] [--no-safety-backup] | --staged | --list';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const files = args.filter((a) => !a.startsWith('--'));
  const known = new Set(['--force', '--staged', '--list', '--no-safety-backup', '--help']);
  const unknown = [...flags].filter((f) => !known.has(f));
  if (flags.has('--help') || unknown.length || files.length > 1 || (files.length === 0 && !flags.has('--staged') && !flags.has('--list'))) {
    console.error(unknown.length ? `Unknown option ${unknown[0]}\n${USAGE}` : USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const config = loadConfig();
  const paths = { dataDir: config.dataDir, databasePath: config.databasePath, appVersion: version, knownMigrations };

  if (flags.has('--list')) {
    const list = await listBackups(config.dataDir);
    if (list.length === 0) console.log(`No backups in ${backupsDir(config.dataDir)}`);
    for (const b of list) {
      console.log(
        `${b.name}  ${(b.size / 1024 / 1024).toFixed(1)} MB  ${b.reason}${b.foreign ? '  (another installation)' : ''}${b.verified === false ? '  (changed since it was verified)' : ''}`,
      );
    }
    const pending = pendingRestore(config.dataDir);
    if (pending) console.log(`Staged for restore: ${pending.name} (apply with: npm run restore -- --staged)`);
    return 0;
  }

  if (flags.has('--staged')) {
    const pending = pendingRestore(config.dataDir);
    if (!pending) {
      console.log('No restore is staged.');
      return 0;
    }
    const { applied, error } = await applyPendingRestore(paths);
    if (error) {
      console.error(`The staged restore of ${pending.name} was not applied: ${error}`);
      return 1;
    }
    console.log(
      `Restored ${pending.name} (made ${applied!.restored.createdAt}).${applied!.safetyBackup ? ` The replaced data is in ${applied!.safetyBackup.name}.` : ''}`,
    );
    return 0;
  }

  const given = files[0];
  const inBackups = join(backupsDir(config.dataDir), given);
  const file = existsSync(given) ? resolve(given) : existsSync(inBackups) ? inBackups : resolve(given);
  const result = await restoreBackup(file, { ...paths, force: flags.has('--force'), safetyBackup: !flags.has('--no-safety-backup') });
  console.log(`Restored ${file} (made ${result.restored.createdAt} by OmniStream ${result.restored.appVersion}) into ${config.dataDir}.`);
  if (result.safetyBackup)
    console.log(`The data it replaced is backed up in ${join(backupsDir(config.dataDir), result.safetyBackup.name)}.`);
  console.log('Start the server again (npm start, or the desktop app); it applies any newer migrations at start.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof ConfigError) console.error(err.message);
    else if (err instanceof BackupRejectedError) console.error(`Not restored: ${err.message}`);
    else console.error(`Restore failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
