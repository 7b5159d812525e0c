// Starts the real appliance in-process on an ephemeral port with a fresh temp data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { createAppliance, type Appliance } from '../../server/app.js';

export interface TestServer {
  url: string;
  dataDir: string;
  appliance: Appliance;
  /** Stops the appliance and starts a new one on the same data dir (as after a reboot). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OMNISTREAM_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT: '10000',
    JOB_RETRY_BASE_MS: '100',
    SUPER_ADMIN_EMAIL: 'root@omnistream.test',
    SUPER_ADMIN_PASSWORD: 'super-secret-password',
    ...env,
  });
  const boot = async () => {
    const appliance = await createAppliance(config);
    const { port } = await appliance.start();
    return { appliance, url: `http://127.0.0.1:${port}` };
  };
  const server: TestServer = {
    ...(await boot()),
    dataDir,
    async restart() {
      await server.appliance.stop();
      Object.assign(server, await boot());
    },
    async stop() {
      await server.appliance.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
