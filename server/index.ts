// The appliance's command line: `start` (headless server) and `openapi` (print the API document).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { EXIT_CANNOT_START, prepareDataDir } from './platform/prestart.js';

async function main(command: string): Promise<void> {
  // Everything the server creates (database, media, backups, settings) is the owner's alone,
  // whatever umask it was started with; the code also sets explicit modes (core/fs-private.ts).
  if (process.platform !== 'win32') process.umask(0o077);
  if (command === 'openapi') {
    const { openApiDocument } = await import('./app.js');
    process.stdout.write(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
    return;
  }
  if (command !== 'start') {
    console.error(`Unknown command "${command}". Use: start | openapi`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
    // The operator key stays in this process: programs it starts (cloudflared) never inherit it.
    delete process.env.OMNISTREAM_OPERATOR_KEY;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(EXIT_CANNOT_START);
    }
    throw err;
  }
  const { createAppliance, RENDERER_DIST, VERSION } = await import('./app.js');
  const { knownMigrations } = await import('./composition.js');
  await prepareDataDir(config, VERSION, knownMigrations);
  if (!existsSync(RENDERER_DIST)) {
    console.log('Building the web UI (first start)…');
    const root = fileURLToPath(new URL('..', import.meta.url));
    // vite's package exports do not include its CLI, so it is run from its folder.
    const viteCli = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
    const built = existsSync(viteCli)
      ? spawnSync(process.execPath, [viteCli, 'build', 'renderer', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
      : null;
    if (built?.status !== 0) console.error('The web UI could not be built; the API runs without it (run `npm run build` to see why).');
  }
  const appliance = await createAppliance(config);
  // A promise rejected with nobody to handle it is a bug to log, not a reason to stop receiving
  // webhooks and sending replies: Node would otherwise end the process (its default since v15).
  // Durable work is in the jobs table, and the runner retries what failed.
  process.on('unhandledRejection', (reason) => {
    appliance.services.log.error({ err: reason }, 'unhandled promise rejection (logged; the server keeps running)');
  });
  await appliance.start();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    appliance.services.log.info({ signal }, 'shutting down');
    try {
      await appliance.stop();
      process.exit(0);
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main(process.argv[2] ?? 'start').catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
