// `npm run backup`: writes a verified backup of the appliance (database + media + secrets) into
// DATA_DIR/backups, like "back up now" in the app. Safe while the server runs (online backup).
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../server/config.js';
import { knownMigrations } from '../server/composition.js';
import { VERSION as version } from '../server/version.js';
import { createBackup, backupsDir } from '../server/platform/backup/index.js';
import { loadSettings } from '../server/platform/appliance.settings.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      'Usage: npm run backup [-- --keep N]\nWrites a verified backup into DATA_DIR/backups and keeps the newest N (default: the appliance setting).',
    );
    return 0;
  }
  const config = loadConfig();
  const keepArg = args.indexOf('--keep');
  const keep = keepArg >= 0 ? Number(args[keepArg + 1]) : loadSettings(config.dataDir).backups.keep;
  if (!Number.isInteger(keep) || keep < 1) {
    console.error('--keep needs a whole number of at least 1');
    return 2;
  }
  const started = Date.now();
  const info = await createBackup({
    dataDir: config.dataDir,
    databasePath: config.databasePath,
    knownMigrations,
    appVersion: version,
    reason: 'cli',
    keep,
  });
  const mb = (info.size / 1024 / 1024).toFixed(1);
  console.log(
    `Backup written and verified in ${((Date.now() - started) / 1000).toFixed(1)} s: ${join(backupsDir(config.dataDir), info.name)} (${mb} MB, ${info.mediaFiles} media files)`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? err.message : `Backup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
