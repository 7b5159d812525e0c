// Security finding 7: files were world-readable. Backups (which hold secrets.json), the database
// and the data folder were created with the umask's modes (0644/0755). Now the data dir and every
// folder in it are 0700 and every file the server writes 0600, whatever the umask; an existing
// installation is fixed at start, and a restore leaves nothing wider.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, superAdmin, type Tenant } from '../support/http.js';
import { applyPendingRestore } from '../../server/platform/backup/index.js';
import { knownMigrations } from '../../server/composition.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

function assertMode(path: string, expected: number): void {
  assert.ok(existsSync(path), `${path} exists`);
  assert.equal(octal(mode(path)), octal(expected), path);
}

/** Every folder 0700 and every file 0600 under dir (and dir itself 0700). */
function assertPrivateTree(dir: string): number {
  assertMode(dir, 0o700);
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files += assertPrivateTree(full);
    else if (entry.isFile()) {
      assertMode(full, 0o600);
      files++;
    }
  }
  return files;
}

describe('files of the appliance are not world-readable', { skip: process.platform === 'win32' && 'no POSIX modes' }, () => {
  let server: TestServer;
  let tenant: Tenant;
  let op: Api;
  let previousUmask: number;

  before(async () => {
    // The usual umask, which gave 0644 files and 0755 folders before.
    previousUmask = process.umask(0o022);
    server = await startServer();
    tenant = await registerTenant(new Api(server.url), 'Toko Rahasia');
    op = await superAdmin(new Api(server.url));
  });
  after(async () => {
    await server.stop();
    process.umask(previousUmask);
  });

  async function uploadImage(): Promise<string> {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#cc3333' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'struk.png');
    const res = await fetch(`${server.url}/api/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}` },
      body: form,
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: string }).id;
  }

  it('creates the data dir, database, secrets, settings, media and backups owner-only under umask 022', async () => {
    await uploadImage();
    assert.equal((await op.put('/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: 'https://crm.example.com' })).status, 200);
    const backup = await op.post('/api/v1/appliance/backups');
    assert.equal(backup.status, 201);
    const staged = await op.post(`/api/v1/appliance/backups/${backup.body.name}/restore`, {});
    assert.equal(staged.status, 202);

    const d = server.dataDir;
    assertMode(d, 0o700);
    for (const f of ['omnistream.db', 'omnistream.db-wal', 'omnistream.db-shm', 'secrets.json', 'appliance.json'])
      assertMode(join(d, f), 0o600);
    const backups = assertPrivateTree(join(d, 'backups'));
    assert.ok(backups >= 2, 'the archive and its sidecar (and the staged restore) were checked');
    assertMode(join(d, 'backups', backup.body.name), 0o600);
    assertMode(join(d, 'backups', backup.body.name.replace(/\.tar\.gz$/, '.json')), 0o600);
    assert.ok(assertPrivateTree(join(d, 'media')) >= 2, 'the image and its thumbnail');
    assert.equal((await op.delete('/api/v1/appliance/pending-restore')).status, 204);
  });

  it('makes an existing, world-readable installation private at start', async () => {
    const d = server.dataDir;
    chmodSync(d, 0o755);
    chmodSync(join(d, 'secrets.json'), 0o644);
    chmodSync(join(d, 'omnistream.db'), 0o644);
    chmodSync(join(d, 'backups'), 0o755);
    chmodSync(join(d, 'media'), 0o755);
    await server.restart();
    assertMode(d, 0o700);
    assertMode(join(d, 'secrets.json'), 0o600);
    assertMode(join(d, 'omnistream.db'), 0o600);
    assertPrivateTree(join(d, 'backups'));
    assertMode(join(d, 'media'), 0o700);
  });

  it('leaves restored data owner-only, whatever modes the archive carried', async () => {
    op = await superAdmin(new Api(server.url));
    await uploadImage();
    const backup = await op.post('/api/v1/appliance/backups');
    assert.equal((await op.post(`/api/v1/appliance/backups/${backup.body.name}/restore`, {})).status, 202);
    await server.restart(async () => {
      const result = await applyPendingRestore({
        dataDir: server.dataDir,
        databasePath: join(server.dataDir, 'omnistream.db'),
        appVersion: '0.0.0-test',
        knownMigrations,
      });
      assert.equal(result.error, null);
      assert.ok(result.applied);
    });
    op = await superAdmin(new Api(server.url));
    const d = server.dataDir;
    assertMode(d, 0o700);
    for (const f of ['omnistream.db', 'secrets.json', 'appliance.json']) assertMode(join(d, f), 0o600);
    assertPrivateTree(join(d, 'media'));
    assertPrivateTree(join(d, 'backups'));
  });
});
