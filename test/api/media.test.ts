import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import S3rver from 's3rver';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, registerTenant, type ApiResponse, type Tenant } from '../support/http.js';
import { saveMedia } from '../../server/modules/media/media.service.js';
import { storagePath } from '../../server/core/storage/local.js';

type Part = { data: Uint8Array | string; type?: string; name?: string };

/** POSTs a multipart form (the file in `file`, unless another field is named) and reads the answer like Api does. */
async function postForm(baseUrl: string, path: string, token: string | null, part: Part | null, field = 'file'): Promise<ApiResponse> {
  const form = new FormData();
  if (part)
    form.append(
      field,
      new Blob([typeof part.data === 'string' ? part.data : new Uint8Array(part.data)], { type: part.type ?? '' }),
      part.name ?? 'file',
    );
  else form.append('note', 'no file here');
  const res = await fetch(baseUrl + path, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: form });
  const text = await res.text();
  assert.notEqual(res.status, 500, `POST ${path} answered 500: ${text}`);
  return {
    status: res.status,
    headers: res.headers,
    body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text,
  };
}

async function download(baseUrl: string, path: string, token: string | null, headers: Record<string, string> = {}) {
  const res = await fetch(baseUrl + path, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.notEqual(res.status, 500, `GET ${path} answered 500: ${bytes.toString()}`);
  const body = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(bytes.toString()) : bytes;
  return { status: res.status, headers: res.headers, bytes, body };
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('Media', () => {
  let server: TestServer;
  let owner: Tenant;
  let other: Tenant;
  let photo: Buffer;
  let uploaded: any;
  const upload = (part: Part | null, token: string | null = owner.token, field?: string) =>
    postForm(server.url, '/api/v1/media', token, part, field);
  const get = (path: string, token: string | null = owner.token, headers?: Record<string, string>) =>
    download(server.url, path, token, headers);

  before(async () => {
    server = await startServer();
    const api = new Api(server.url);
    owner = await registerTenant(api, 'Toko Media');
    other = await registerTenant(api, 'Toko Lain');
    photo = await png(1200, 800);
    const res = await upload({ data: photo, type: 'image/png', name: 'produk baru.png' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    uploaded = res.body;
  });
  after(() => server.stop());

  it('uploads a PNG: 201 with its size, dimensions and a thumbnail', () => {
    assert.equal(uploaded.mimeType, 'image/png');
    assert.equal(uploaded.size, photo.length);
    assert.equal(uploaded.filename, 'produk baru.png');
    assert.equal(uploaded.width, 1200);
    assert.equal(uploaded.height, 800);
    assert.equal(uploaded.hasThumbnail, true);
    assert.equal(uploaded.url, `/api/v1/media/${uploaded.id}`);
    assert.equal(uploaded.thumbnailUrl, `/api/v1/media/${uploaded.id}?thumbnail=true`);
    assert.ok(!Number.isNaN(Date.parse(uploaded.createdAt)));
  });

  it('downloads the same bytes with type, length, disposition, caching and the SHA-256 ETag', async () => {
    const res = await get(uploaded.url);
    assert.equal(res.status, 200);
    assert.ok(res.bytes.equals(photo));
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('content-length'), String(photo.length));
    assert.equal(res.headers.get('content-disposition'), 'inline; filename="produk baru.png"');
    assert.equal(res.headers.get('cache-control'), 'private, max-age=86400');
    assert.equal(res.headers.get('etag'), `"${sha256(photo)}"`);
    // fetch adds Cache-Control: no-cache to conditional requests unless one is given.
    const again = await get(uploaded.url, owner.token, { 'if-none-match': `"${sha256(photo)}"`, 'cache-control': 'max-age=0' });
    assert.equal(again.status, 304);
    const forced = await get(`${uploaded.url}?download=true`);
    assert.equal(forced.headers.get('content-disposition'), 'attachment; filename="produk baru.png"');
    const part = await get(uploaded.url, owner.token, { range: 'bytes=0-7' });
    assert.equal(part.status, 206);
    assert.ok(part.bytes.equals(photo.subarray(0, 8)));
  });

  it('serves a smaller WebP thumbnail', async () => {
    const res = await get(uploaded.thumbnailUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    const meta = await sharp(res.bytes).metadata();
    assert.equal(meta.format, 'webp');
    assert.equal(meta.width, 320);
    assert.equal(meta.height, 213);
    assert.ok(res.bytes.length < photo.length);
    assert.notEqual(res.headers.get('etag'), `"${sha256(photo)}"`);
  });

  it("answers 404 for another organization's media and for ids that are not ids", async () => {
    assertProblem((await get(uploaded.url, other.token)) as ApiResponse, 404);
    assertProblem((await get(uploaded.thumbnailUrl, other.token)) as ApiResponse, 404);
    assertProblem((await get('/api/v1/media/..%2F..%2Fomnistream.db')) as ApiResponse, 404);
    assertProblem((await get('/api/v1/media/00000000-0000-7000-8000-000000000000')) as ApiResponse, 404);
  });

  it('refuses anonymous callers', async () => {
    assertProblem(await upload({ data: photo, type: 'image/png', name: 'a.png' }, null), 401);
    assertProblem((await get(uploaded.url, null)) as ApiResponse, 401);
    assertProblem(await postForm(server.url, '/api/v1/media/s3', null, { data: 'x', type: 'text/plain', name: 'a.txt' }), 401);
  });

  it('trusts the bytes, not the client, for images', async () => {
    const res = await upload({ data: photo, type: 'image/jpeg', name: 'photo.jpg' });
    assert.equal(res.status, 201);
    assert.equal(res.body.mimeType, 'image/png');
    assert.equal(res.body.filename, 'photo.jpg.png');
    assertProblem(await upload({ data: 'not really a picture', type: 'image/png', name: 'fake.png' }), 415, ['file']);
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    assertProblem(await upload({ data: gif, type: 'image/gif', name: 'a.gif' }), 415, ['file']);
  });

  it('refuses a file larger than its type allows with 413 naming file', async () => {
    // Noise does not compress: about 6 MB of PNG, over the 5 MB image limit.
    const big = await sharp(randomBytes(1500 * 1400 * 3), { raw: { width: 1500, height: 1400, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    assert.ok(big.length > 5 * 1024 * 1024);
    const res = await upload({ data: big, type: 'image/png', name: 'big.png' });
    assertProblem(res, 413, ['file']);
    assert.match(res.body.detail, /5 MB/);
    // The same size is fine for a document.
    const doc = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(6 * 1024 * 1024, 0x20)]);
    assert.equal((await upload({ data: doc, type: 'application/pdf', name: 'big.pdf' })).status, 201);
  });

  it('refuses unsupported types with 415 naming file', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(200)]);
    assertProblem(await upload({ data: exe, type: 'application/x-msdownload', name: 'setup.exe' }), 415, ['file']);
    // A program dressed as a document is still a program.
    assertProblem(await upload({ data: exe, type: 'application/pdf', name: 'invoice.pdf' }), 415, ['file']);
    assertProblem(await upload({ data: '<html><script>alert(1)</script></html>', type: 'text/html', name: 'x.html' }), 415, ['file']);
    assertProblem(await upload({ data: 'just words', type: 'application/pdf', name: 'fake.pdf' }), 415, ['file']);
  });

  it('needs the file: 400 without it in a form, 415 without a form, both naming file', async () => {
    assertProblem(await upload(null), 400, ['file']);
    // A file under another field name is named as the unexpected field.
    assertProblem(await upload({ data: 'hello', type: 'text/plain', name: 'a.txt' }, owner.token, 'attachment'), 400, ['attachment']);
    assertProblem(await owner.api.post('/api/v1/media', { file: 'aGVsbG8=' }), 415, ['file']);
    assertProblem(await upload({ data: '', type: 'text/plain', name: 'empty.txt' }), 400, ['file']);
  });

  it('stores a text document, keeps its (cleaned) name and serves it as an attachment', async () => {
    const text = 'Daftar harga\nKopi 20000\n';
    const res = await upload({ data: text, type: 'text/plain', name: '../../etc/harga-ü.txt' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.mimeType, 'text/plain');
    assert.equal(res.body.filename, 'harga-ü.txt');
    assert.equal(res.body.hasThumbnail, false);
    assert.equal(res.body.thumbnailUrl, null);
    assert.equal(res.body.width, null);
    const file = await get(res.body.url);
    assert.equal(file.status, 200);
    assert.equal(file.bytes.toString(), text);
    assert.match(file.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(file.headers.get('content-disposition'), `attachment; filename="harga-_.txt"; filename*=UTF-8''harga-%C3%BC.txt`);
    assertProblem((await get(`${res.body.url}?thumbnail=true`)) as ApiResponse, 404);
    const csv = await upload({ data: 'a,b\n1,2\n', type: 'application/octet-stream', name: 'data.csv' });
    assert.equal(csv.body.mimeType, 'text/csv');
  });

  it('saveMedia stores an inbound image with an upright thumbnail, once per channel media id', async () => {
    // A 400x200 image stored sideways: EXIF orientation 6 means "rotate 90° to view".
    const sideways = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#3366cc' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const input = {
      tenantId: owner.tenant.id,
      data: sideways,
      mimeType: 'image/jpeg',
      filename: 'IMG_0001.jpg',
      source: 'inbound' as const,
      channel: 'whatsapp',
      externalId: 'wamid-media-1',
    };
    const media = await saveMedia(server.appliance.services, input);
    assert.equal(media.source, 'inbound');
    assert.equal(media.mimeType, 'image/jpeg');
    assert.equal(media.width, 200);
    assert.equal(media.height, 400);
    assert.equal(media.sha256, sha256(sideways));
    assert.ok(media.thumbnailKey);
    assert.ok(existsSync(storagePath(server.dataDir, media.storageKey)));
    assert.match(media.storageKey, new RegExp(`^${owner.tenant.id}/\\d{4}-\\d{2}/${media.id}\\.jpg$`));
    const thumb = await get(`/api/v1/media/${media.id}?thumbnail=true`);
    assert.equal(thumb.status, 200);
    const meta = await sharp(thumb.bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [160, 320]);
    assert.equal((await saveMedia(server.appliance.services, input)).id, media.id);
    assertProblem((await get(`/api/v1/media/${media.id}`, other.token)) as ApiResponse, 404);
  });

  it('answers 503 naming the variables when S3 is not configured', async () => {
    const res = await postForm(server.url, '/api/v1/media/s3', owner.token, { data: 'hello', type: 'text/plain', name: 'a.txt' });
    assertProblem(res, 503);
    for (const name of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'])
      assert.match(res.body.detail, new RegExp(name));
    assert.deepEqual(res.body.missing, ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']);
  });
});

describe('Media on S3 (s3rver)', () => {
  let s3: S3rver;
  let s3Dir: string;
  let endpoint: string;
  let server: TestServer;
  let owner: Tenant;
  before(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 'omnistream-s3-'));
    s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: 'omnistream', configs: [] }],
    });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    server = await startServer({
      S3_ENDPOINT: endpoint,
      S3_BUCKET: 'omnistream',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    owner = await registerTenant(new Api(server.url), 'Toko S3');
  });
  after(async () => {
    await server.stop();
    await s3.close();
    rmSync(s3Dir, { recursive: true, force: true });
  });

  it('uploads under <tenantId>/<yyyy>/<mm>/<id>-<filename> and answers where it is', async () => {
    const data = await png(64, 48);
    const res = await postForm(server.url, '/api/v1/media/s3', owner.token, { data, type: 'image/png', name: 'logo toko.png' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.bucket, 'omnistream');
    assert.equal(res.body.size, data.length);
    assert.equal(res.body.mimeType, 'image/png');
    assert.match(res.body.key, new RegExp(`^${owner.tenant.id}/\\d{4}/\\d{2}/[0-9a-f-]{36}-logo toko\\.png$`));
    assert.equal(res.body.url, `${endpoint}/omnistream/${res.body.key.split('/').map(encodeURIComponent).join('/')}`);
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: 'omnistream', Key: res.body.key }));
      assert.equal(object.ContentType, 'image/png');
      assert.ok(Buffer.from(await object.Body!.transformToByteArray()).equals(data));
    } finally {
      client.destroy();
    }
    // Nothing is written to local storage for S3 uploads.
    assert.ok(!existsSync(join(server.dataDir, 'media')) || readdirSync(join(server.dataDir, 'media')).length === 0);
  });

  it('applies the same type and size checks', async () => {
    assertProblem(
      await postForm(server.url, '/api/v1/media/s3', owner.token, {
        data: Buffer.from('MZ....'),
        type: 'application/x-msdownload',
        name: 'a.exe',
      }),
      415,
      ['file'],
    );
  });

  it('answers 502 when the bucket refuses the upload', async () => {
    const misconfigured = await startServer({
      S3_ENDPOINT: endpoint,
      S3_BUCKET: 'no-such-bucket',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
    });
    try {
      const tenant = await registerTenant(new Api(misconfigured.url), 'Toko Salah');
      const res = await postForm(misconfigured.url, '/api/v1/media/s3', tenant.token, { data: 'hello', type: 'text/plain', name: 'a.txt' });
      assertProblem(res, 502);
      assert.match(res.body.detail, /NoSuchBucket/);
    } finally {
      await misconfigured.stop();
    }
  });
});
