// Before the database opens: apply a restore staged in the UI, and back up before migrations
// that an update brings. Both the headless `npm start` and the desktop app run this.
import type { Config } from '../config.js';
import { applyPendingRestore, backupBeforeMigrations } from './backup/index.js';

/** Exit code for "starting again cannot help" (sysexits' EX_CONFIG): the desktop shell stops restarting. */
export const EXIT_CANNOT_START = 78;

export async function prepareDataDir(config: Config, appVersion: string, knownMigrations: readonly string[]): Promise<void> {
  const paths = { dataDir: config.dataDir, databasePath: config.databasePath, appVersion, knownMigrations };
  const restore = await applyPendingRestore(paths);
  if (restore.applied)
    console.log(
      `Restored the backup made ${restore.applied.restored.createdAt}${restore.applied.safetyBackup ? `; the replaced data is in backups/${restore.applied.safetyBackup.name}` : ''}`,
    );
  if (restore.error) console.error(`The staged restore was not applied (the current data is unchanged): ${restore.error}`);
  try {
    const backup = await backupBeforeMigrations(paths);
    if (backup) console.log(`Backed up the database before upgrading it: backups/${backup.name}`);
  } catch (err) {
    console.error(
      `Not upgrading the database: the backup before the upgrade failed (${(err as Error).message}). Free some disk space or fix the data folder, then start again.`,
    );
    process.exit(EXIT_CANNOT_START);
  }
}
