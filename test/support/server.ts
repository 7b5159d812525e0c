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
  /**
   * Stops the appliance and starts a new one on the same data dir (as after a reboot); `whileStopped` runs in between (e.g. move the clock).
   * The new one listens on a new port unless `samePort` is set (browsers then reconnect to the same URL, as after a real restart).
   */
  restart(whileStopped?: () => unknown, options?: { samePort?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** A clock tests control: pass `clock.now` to startServer and move time with set/advance. */
export interface TestClock {
  now(): Date;
  set(to: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string = new Date()): TestClock {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (to) => {
      t = new Date(to).getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** `options.now` injects a clock (see testClock) for time-dependent features such as SLA. */
export async function startServer(env: Record<string, string> = {}, options: { now?: () => Date } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OMNISTREAM_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    AUTH_RATE_LIMIT: '10000',
    JOB_RETRY_BASE_MS: '100',
    // Tests never announce themselves on the real network.
    OMNISTREAM_MDNS: 'off',
    SUPER_ADMIN_EMAIL: 'root@omnistream.test',
    SUPER_ADMIN_PASSWORD: 'super-secret-password',
    // The fakes of the outside world (Graph, LLM, SMTP, webhook receivers) listen on loopback; tests that
    // check the SSRF guard itself pass their own OUTBOUND_ALLOWED_HOSTS.
    OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
    // Every response is checked against its declared schema (a mismatch answers 500, naming the field).
    VALIDATE_RESPONSES: 'true',
    ...env,
  });
  const boot = async (samePort?: number) => {
    const appliance = await createAppliance(samePort === undefined ? config : { ...config, PORT: samePort }, { now: options.now });
    const { port } = await appliance.start();
    return { appliance, url: `http://127.0.0.1:${port}` };
  };
  const server: TestServer = {
    ...(await boot()),
    dataDir,
    async restart(whileStopped, restartOptions = {}) {
      const port = restartOptions.samePort ? Number(new URL(server.url).port) : undefined;
      await server.appliance.stop();
      await whileStopped?.();
      Object.assign(server, await boot(port));
    },
    async stop() {
      await server.appliance.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
