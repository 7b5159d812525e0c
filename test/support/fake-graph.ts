// A fake of the parts of Meta's Graph API the channels use, as a real HTTP server on 127.0.0.1:
// sending WhatsApp messages, media lookup/download/upload (uploads become downloadable), the Send API
// of Messenger and Instagram (POST /{page-id|ig-user-id|me}/messages, attachment upload) and a CDN
// for their inbound attachments (GET /cdn/{name}, no token, like Meta's signed URLs). It records every request and can fail,
// hang or refuse connections on demand, so tests exercise the real HTTP client end to end.
//
// It also knows which assets each access token may read (`graphAssets`, shared by every fake in
// the process: the connect helpers of whatsapp.ts and meta-channels.ts register theirs), as
// connecting a channel proves ownership with them: GET /{waba-id}/phone_numbers (a WhatsApp
// Business Account's numbers), GET /me (a Page token reads its Page) and GET /{ig-user-id} (an
// Instagram account). A token that may not read an asset gets Meta's "does not exist, cannot be
// loaded due to missing permissions" error.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { signMetaBody } from '../../server/channels/meta-signature.js';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. /v21.0/106540352242922/messages */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /**
   * The parsed JSON body, or undefined when the body is empty or not JSON. Typed `any` on purpose:
   * tests reach into it to assert what was sent.
   */
  body: any;
  rawBody: Buffer;
  /** When it arrived (Date.now()). */
  receivedAt: number;
}

export interface FailureSpec {
  status: number;
  /** Sent as JSON unless it is a string or a Buffer. */
  body?: unknown;
  /** Only requests whose path matches fail (the others are served normally). */
  path?: string | RegExp;
}

export interface FakeGraph {
  /** Base URL without a version, e.g. http://127.0.0.1:41234 (use it as META_GRAPH_URL). */
  readonly url: string;
  /** Which assets each token may read (the process-wide `graphAssets`). */
  readonly assets: GraphAssets;
  readonly port: number;
  /** Every request received, in order, including the ones that failed or hung. */
  readonly requests: RecordedRequest[];
  /**
   * The POSTs to /{version}/{id}/messages that send a message (read receipts and sender actions
   * excluded): id is a WhatsApp phone number id, a Page id, an Instagram account id or "me".
   */
  sentMessages(phoneNumberId?: string): RecordedRequest[];
  /** Serves `bytes` at `${url}/cdn/${name}` without a token (a Messenger/Instagram attachment URL); returns that URL. */
  addCdnFile(name: string, bytes: Buffer | string, mimeType: string): string;
  /** The next `count` matching requests answer `status` with `body` (e.g. a Graph error fixture). */
  failNext(count: number, failure: FailureSpec): void;
  /** Holds every following request for `ms`, or (true) until release(). */
  hang(duration: number | true): void;
  /** Stops hanging and answers the held requests normally. */
  release(): void;
  /** Closes the listener and every open connection: new connections are refused on the same port. */
  refuseConnections(): Promise<void>;
  /** Listens again on the same port. */
  acceptConnections(): Promise<void>;
  /** Registers media that GET /{version}/{media-id} and the download URL then serve (uploads register themselves). */
  addMedia(mediaId: string, bytes: Buffer | string, mimeType: string, filename?: string): void;
  /** Answers `method path` (path without the version, e.g. "/12345" or /^\/oauth/) with a fixed or computed answer. */
  stub(
    method: string,
    path: string | RegExp,
    answer: { status: number; body: unknown } | ((req: RecordedRequest) => { status: number; body: unknown }),
  ): void;
  /**
   * Message templates of a WhatsApp Business Account, as GET/POST/DELETE /{waba-id}/message_templates
   * serve them (listed in pages of `limit`, default 25, with cursors). Created ones start PENDING.
   */
  templates(wabaId: string): FakeTemplate[];
  /** Replaces a WABA's templates (e.g. with the data of graph-templates-list.json). */
  setTemplates(wabaId: string, templates: FakeTemplate[]): void;
  /**
   * Like Meta, posts a signed `sent` status webhook to `url` after every WhatsApp message it accepts
   * (with the message's `biz_opaque_callback_data`), retrying every 200 ms until answered 2xx (up to
   * 10 minutes, as Meta retries for a day). null stops.
   */
  sendStatusWebhooks(target: { url: string; appSecret: string } | null): void;
  /** Status webhooks not yet acknowledged. */
  pendingStatusWebhooks(): number;
  /** Forgets requests, media, templates, pending failures and hanging; listens again if refusing. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface FakeTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components: unknown[];
  [extra: string]: unknown;
}

interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  filename?: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface PendingFailure extends FailureSpec {
  remaining: number;
}

const VERSION = /^v\d+\.\d+$/;

/** What access tokens may read, as Meta's Graph API answers it. */
export interface GraphAssets {
  /** `token` manages the WhatsApp Business Account `wabaId` and these phone numbers of it. */
  whatsapp(token: string, wabaId: string, phoneNumberIds: string[]): void;
  /** `token` is the Page access token of `pageId`. */
  page(token: string, pageId: string, name?: string): void;
  /** `token` may read (and message as) the Instagram professional account `accountId`. */
  instagram(token: string, accountId: string, username?: string): void;
  /** Forgets every grant. */
  clear(): void;
}

interface AssetGrants {
  wabas: Map<string, Set<string>>;
  pages: Map<string, string>;
  instagram: Map<string, string>;
}

const grants = new Map<string, AssetGrants>();
const grantsOf = (token: string): AssetGrants => {
  let g = grants.get(token);
  if (!g) grants.set(token, (g = { wabas: new Map(), pages: new Map(), instagram: new Map() }));
  return g;
};

/** The assets every fake Graph in this process answers for (see the file comment). */
export const graphAssets: GraphAssets = {
  whatsapp(token, wabaId, phoneNumberIds) {
    const numbers = grantsOf(token).wabas.get(wabaId) ?? new Set();
    for (const id of phoneNumberIds) numbers.add(id);
    grantsOf(token).wabas.set(wabaId, numbers);
  },
  page(token, pageId, name = `Page ${pageId}`) {
    grantsOf(token).pages.set(pageId, name);
  },
  instagram(token, accountId, username = `ig_${accountId}`) {
    grantsOf(token).instagram.set(accountId, username);
  },
  clear() {
    grants.clear();
  },
};

function missingPermissions(id: string): Answer {
  return graphError(
    400,
    `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    100,
    { type: 'GraphMethodException', error_subcode: 33 },
  );
}

/** GET /{waba}/phone_numbers, /me and /{ig-account}: what the token may read, or undefined when the path is none of those. */
function assetAnswer(token: string, parts: string[]): Answer | undefined {
  const g = grants.get(token);
  const [, id, edge] = parts;
  if (parts.length === 3 && edge === 'phone_numbers') {
    const numbers = g?.wabas.get(id);
    if (!numbers) return missingPermissions(id);
    return {
      status: 200,
      body: {
        data: [...numbers].map((n) => ({ id: n, display_phone_number: `+${n}`, verified_name: `Business ${n}`, quality_rating: 'GREEN' })),
        paging: { cursors: { before: 'QVFIU', after: 'QVFIU' } },
      },
    };
  }
  if (parts.length === 2 && id === 'me') {
    const page = g ? [...g.pages][0] : undefined;
    if (page) return { status: 200, body: { id: page[0], name: page[1] } };
    const ig = g ? [...g.instagram][0] : undefined;
    if (ig) return { status: 200, body: { id: ig[0], user_id: ig[0], username: ig[1] } };
    return undefined;
  }
  if (parts.length === 2) {
    for (const [, other] of grants) {
      if (other.instagram.has(id)) {
        const username = g?.instagram.get(id);
        return username ? { status: 200, body: { id, username } } : missingPermissions(id);
      }
    }
  }
  return undefined;
}

function graphError(status: number, message: string, code: number, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: randomBytes(8).toString('base64url') } } };
}

export async function startFakeGraph(): Promise<FakeGraph> {
  const requests: RecordedRequest[] = [];
  const media = new Map<string, StoredMedia>();
  const cdn = new Map<string, StoredMedia>();
  const failures: PendingFailure[] = [];
  const sockets = new Set<Socket>();
  let hangFor: number | true | undefined;
  /** Requests held by hang(true): how to answer each, and its response to cut it on reset/stop. */
  let held: { answer: () => void; res: ServerResponse }[] = [];
  let listening = false;
  let counter = 0;
  const templates = new Map<string, FakeTemplate[]>();
  let statusTarget: { url: string; appSecret: string } | null = null;
  let pendingWebhooks = 0;
  const webhookTimers = new Set<NodeJS.Timeout>();
  const stubs: {
    method: string;
    path: string | RegExp;
    answer: { status: number; body: unknown } | ((req: RecordedRequest) => { status: number; body: unknown });
  }[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  // Connections are tracked so refuseConnections() can cut keep-alive sockets too: fetch would
  // otherwise keep reusing a pooled connection after the listener has closed.
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): void {
    const parsedUrl = new URL(req.url ?? '/', 'http://fake-graph');
    let body: unknown;
    if (rawBody.length) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        body = undefined;
      }
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: parsedUrl.pathname,
      query: Object.fromEntries(parsedUrl.searchParams),
      headers: req.headers,
      body,
      rawBody,
      receivedAt: Date.now(),
    };
    requests.push(recorded);
    const answer = () => void respond(recorded, res);
    if (hangFor === true) held.push({ answer, res });
    else if (typeof hangFor === 'number') {
      const timer = setTimeout(answer, hangFor);
      res.on('close', () => clearTimeout(timer));
    } else answer();
  }

  async function respond(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (res.destroyed || res.writableEnded) {
      // The client gave up (a timeout, or its process died) meanwhile. Meta still has a message it
      // received and sends its status webhook; the answer is lost.
      if (statusTarget && req.method === 'POST' && req.path.endsWith('/messages')) await route(req).catch(() => undefined);
      return;
    }
    const failure = takeFailure(req.path);
    let answer: Answer;
    try {
      answer = failure ? { status: failure.status, body: failure.body } : await route(req);
    } catch (err) {
      // A bug or an odd request (e.g. a malformed %-escape) must not crash the test process.
      answer = graphError(500, `Fake Graph failed: ${(err as Error).message}`, 1);
    }
    const { status, body, headers = {} } = answer;
    if (res.destroyed) return;
    if (Buffer.isBuffer(body)) {
      res.writeHead(status, { 'content-type': 'application/octet-stream', ...headers, 'content-length': body.length });
      res.end(body);
    } else if (typeof body === 'string') {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    } else {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    }
  }

  function takeFailure(path: string): PendingFailure | undefined {
    const index = failures.findIndex((f) => f.path === undefined || (typeof f.path === 'string' ? f.path === path : f.path.test(path)));
    if (index < 0) return undefined;
    const failure = failures[index];
    if (--failure.remaining <= 0) failures.splice(index, 1);
    return failure;
  }

  async function route(req: RecordedRequest): Promise<Answer> {
    const parts = req.path.split('/').filter(Boolean).map(decodeURIComponent);
    // Attachment URLs of Messenger and Instagram: on Meta's CDN, signed, fetched without a token.
    if (req.method === 'GET' && parts.length === 2 && parts[0] === 'cdn') {
      const stored = cdn.get(parts[1]);
      if (!stored) return { status: 404, body: 'Not Found' };
      return { status: 200, body: stored.bytes, headers: { 'content-type': stored.mimeType } };
    }
    const auth = req.headers.authorization;
    // Instagram Login's code exchange (POST api.instagram.com/oauth/access_token) is form-encoded and carries no token.
    const tokenFree = req.method === 'POST' && req.path === '/oauth/access_token';
    if (!tokenFree && (!auth || !/^Bearer \S+$/.test(auth))) {
      return graphError(400, 'An active access token must be used to query information about the current user.', 2500);
    }
    // The download URL handed out by GET /{media-id} (Meta's is on another host, unversioned).
    if (req.method === 'GET' && parts.length === 2 && parts[0] === 'media-download') {
      const stored = media.get(parts[1]);
      if (!stored) return { status: 404, body: 'Not Found' };
      const headers: Record<string, string> = { 'content-type': stored.mimeType };
      if (stored.filename) headers['content-disposition'] = `attachment; filename="${stored.filename}"`;
      return { status: 200, body: stored.bytes, headers };
    }
    const unversioned = VERSION.test(parts[0] ?? '') ? `/${parts.slice(1).join('/')}` : req.path;
    const stubbed = stubs.find(
      (s) => s.method === req.method && (typeof s.path === 'string' ? s.path === unversioned : s.path.test(unversioned)),
    );
    if (stubbed) return typeof stubbed.answer === 'function' ? stubbed.answer(req) : stubbed.answer;
    if (req.method === 'GET' && parts.length >= 2 && VERSION.test(parts[0])) {
      const owned = assetAnswer(auth!.slice('Bearer '.length), parts);
      if (owned) return owned;
    }
    if (parts.length >= 2 && VERSION.test(parts[0])) {
      const [, id, edge] = parts;
      if (req.method === 'POST' && parts.length === 3 && edge === 'messages') return sendMessage(req);
      if (parts.length === 3 && edge === 'message_templates') return messageTemplates(req, id);
      if (req.method === 'POST' && parts.length === 3 && edge === 'media') return upload(req);
      if (req.method === 'POST' && parts.length === 3 && edge === 'message_attachments') return uploadAttachment(req);
      if (req.method === 'GET' && parts.length === 2) {
        const stored = media.get(id);
        if (stored) {
          return {
            status: 200,
            body: {
              url: `${base()}/media-download/${encodeURIComponent(id)}`,
              mime_type: stored.mimeType,
              sha256: createHash('sha256').update(stored.bytes).digest('hex'),
              file_size: stored.bytes.length,
              id,
              messaging_product: 'whatsapp',
            },
          };
        }
        return graphError(
          400,
          `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          100,
          { type: 'GraphMethodException', error_subcode: 33 },
        );
      }
    }
    return graphError(404, `Unknown path components: ${req.path}`, 100, { type: 'GraphMethodException' });
  }

  /** Multipart `file`, `type`, `messaging_product`; the upload can then be fetched like inbound media. */
  async function upload(req: RecordedRequest): Promise<Answer> {
    let form: FormData;
    try {
      form = await new Response(req.rawBody, { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData();
    } catch {
      return graphError(400, '(#100) The parameter file is required.', 100);
    }
    const file = form.get('file');
    if (form.get('messaging_product') !== 'whatsapp') return graphError(400, '(#100) The parameter messaging_product is required.', 100);
    if (!file || typeof file === 'string') return graphError(400, '(#100) The parameter file is required.', 100);
    const id = String(4_000_000_000_000_000 + ++counter);
    const type = form.get('type');
    media.set(id, {
      bytes: Buffer.from(await file.arrayBuffer()),
      mimeType: typeof type === 'string' && type ? type : file.type || 'application/octet-stream',
      filename: file.name || undefined,
    });
    return { status: 200, body: { id } };
  }

  /** Messenger's Attachment Upload API: multipart `message` (JSON) and `filedata`; answers an attachment_id. */
  async function uploadAttachment(req: RecordedRequest): Promise<Answer> {
    let form: FormData;
    try {
      form = await new Response(req.rawBody, { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData();
    } catch {
      return graphError(400, '(#100) Upload attachment failure.', 100);
    }
    const file = form.get('filedata');
    if (typeof form.get('message') !== 'string' || !file || typeof file === 'string')
      return graphError(400, '(#100) Upload attachment failure.', 100);
    const id = String(5_000_000_000_000_000 + ++counter);
    media.set(id, {
      bytes: Buffer.from(await file.arrayBuffer()),
      mimeType: file.type || 'application/octet-stream',
      filename: file.name || undefined,
    });
    return { status: 200, body: { attachment_id: id } };
  }

  /** The Send API of Messenger and Instagram: `{recipient: {id}, message | sender_action}` → `{recipient_id, message_id}`. */
  function sendMessagingMessage(req: RecordedRequest): Answer {
    const body = req.body as {
      recipient?: { id?: unknown };
      message?: unknown;
      sender_action?: unknown;
      messaging_type?: unknown;
      tag?: unknown;
    };
    const recipient = body.recipient?.id;
    if (typeof recipient !== 'string' || recipient === '') return graphError(400, '(#100) The parameter recipient is required', 100);
    if (body.sender_action !== undefined) return { status: 200, body: { recipient_id: recipient } };
    if (!body.message || typeof body.message !== 'object') return graphError(400, '(#100) param message must be non-empty.', 100);
    if (body.messaging_type === 'MESSAGE_TAG' && body.tag !== 'HUMAN_AGENT')
      return graphError(400, '(#100) Tag is required for MESSAGE_TAG messaging type', 100);
    const id = `m_${Buffer.from(`FAKE${++counter}.${randomBytes(9).toString('hex')}`).toString('base64url')}`;
    return { status: 200, body: { recipient_id: recipient, message_id: id } };
  }

  function sendMessage(req: RecordedRequest): Answer {
    if (req.body && typeof req.body === 'object' && 'recipient' in req.body) return sendMessagingMessage(req);
    const body = req.body as { messaging_product?: unknown; to?: unknown; status?: unknown } | undefined;
    if (body?.messaging_product !== 'whatsapp') {
      return graphError(400, '(#100) The parameter messaging_product is required.', 100);
    }
    if (body.status === 'read') return { status: 200, body: { success: true } };
    if (typeof body.to !== 'string' || body.to === '') return graphError(400, '(#100) The parameter to is required.', 100);
    const id = `wamid.${Buffer.from(`FAKE${++counter}.${randomBytes(9).toString('hex')}`).toString('base64url')}`;
    if (statusTarget) {
      const phoneNumberId = req.path.split('/').filter(Boolean)[1];
      postStatusWebhook(
        statusTarget,
        phoneNumberId,
        id,
        body.to.replace(/\D/g, ''),
        (req.body as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data,
      );
    }
    return {
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to.replace(/\D/g, '') }], messages: [{ id }] },
    };
  }

  /** GET (paged), POST (create, PENDING) and DELETE (?name=) of a WABA's message templates. */
  function messageTemplates(req: RecordedRequest, wabaId: string): Answer {
    const list = templates.get(wabaId) ?? [];
    if (req.method === 'GET') {
      const limit = Math.min(Math.max(Number(req.query.limit) || 25, 1), 100);
      const start = req.query.after ? Number(Buffer.from(req.query.after, 'base64url').toString('utf8').replace(/^i/, '')) : 0;
      if (!Number.isInteger(start) || start < 0) return graphError(400, '(#100) Invalid cursor', 100);
      const page = list.slice(start, start + limit);
      const cursor = (i: number) => Buffer.from(`i${i}`).toString('base64url');
      const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + page.length) } };
      if (start + limit < list.length) {
        paging.next = `${base()}${req.path}?limit=${limit}&after=${cursor(start + page.length)}`;
      }
      return { status: 200, body: { data: page, paging } };
    }
    if (req.method === 'POST') {
      const body = req.body as { name?: unknown; language?: unknown; category?: unknown; components?: unknown } | undefined;
      if (typeof body?.name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(body.name))
        return graphError(400, '(#100) Invalid parameter: name', 100, {
          error_user_msg: 'Template names use lowercase letters, digits and _',
        });
      if (typeof body.language !== 'string' || typeof body.category !== 'string' || !Array.isArray(body.components))
        return graphError(400, '(#100) The parameters language, category and components are required.', 100);
      if (list.some((t) => t.name === body.name && t.language === body.language))
        return graphError(400, 'Invalid parameter', 100, {
          error_subcode: 2388024,
          error_user_msg: 'Content in this language already exists',
        });
      const id = String(1_500_000_000_100_000 + ++counter);
      list.push({ id, name: body.name, language: body.language, status: 'PENDING', category: body.category, components: body.components });
      templates.set(wabaId, list);
      return { status: 200, body: { id, status: 'PENDING', category: body.category } };
    }
    if (req.method === 'DELETE') {
      const name = req.query.name;
      if (!name) return graphError(400, '(#100) The parameter name is required.', 100);
      const kept = list.filter((t) => t.name !== name);
      if (kept.length === list.length) return graphError(400, `(#100) Template ${name} does not exist`, 100);
      templates.set(wabaId, kept);
      return { status: 200, body: { success: true } };
    }
    return graphError(400, `Unsupported ${req.method} request.`, 100);
  }

  /** Posts a signed status webhook for a sent WhatsApp message, retrying until it is acknowledged. */
  function postStatusWebhook(
    target: { url: string; appSecret: string },
    phoneNumberId: string,
    id: string,
    to: string,
    callbackData: unknown,
  ) {
    const status: Record<string, unknown> = { id, status: 'sent', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to };
    if (typeof callbackData === 'string') status.biz_opaque_callback_data = callbackData;
    const raw = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: `waba-${phoneNumberId}`,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '0', phone_number_id: phoneNumberId },
                statuses: [status],
              },
            },
          ],
        },
      ],
    });
    const deadline = Date.now() + 600_000;
    pendingWebhooks++;
    const attempt = async () => {
      try {
        const res = await fetch(`${target.url}/api/v1/webhooks/meta`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaBody(raw, target.appSecret) },
          body: raw,
        });
        await res.text();
        if (res.ok) {
          pendingWebhooks--;
          return;
        }
      } catch {
        // the server is down: try again, as Meta does
      }
      if (Date.now() > deadline || statusTarget === null) {
        pendingWebhooks--;
        return;
      }
      const timer = setTimeout(() => {
        webhookTimers.delete(timer);
        void attempt();
      }, 200);
      webhookTimers.add(timer);
    };
    void attempt();
  }

  function dropHeld(): void {
    for (const { res } of held) res.destroy();
    held = [];
  }

  let port = 0;
  const base = () => `http://127.0.0.1:${port}`;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
        listening = true;
        resolve();
      });
    });

  const close = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      // Held requests and idle keep-alive sockets would keep close() waiting; cut them.
      dropHeld();
      for (const socket of sockets) socket.destroy();
    });

  await listen();

  const fake: FakeGraph = {
    get url() {
      return base();
    },
    assets: graphAssets,
    get port() {
      return port;
    },
    requests,
    sentMessages(phoneNumberId) {
      return requests.filter((r) => {
        const parts = r.path.split('/').filter(Boolean);
        const body = r.body as { status?: unknown; sender_action?: unknown } | undefined;
        return (
          r.method === 'POST' &&
          parts.length === 3 &&
          VERSION.test(parts[0]) &&
          parts[2] === 'messages' &&
          (phoneNumberId === undefined || parts[1] === phoneNumberId) &&
          body?.status !== 'read' &&
          body?.sender_action === undefined
        );
      });
    },
    failNext(count, failure) {
      if (count > 0) failures.push({ ...failure, remaining: count });
    },
    hang(duration) {
      hangFor = duration;
    },
    release() {
      hangFor = undefined;
      const waiting = held;
      held = [];
      for (const { answer } of waiting) answer();
    },
    async refuseConnections() {
      await close();
      // Let clients in this process read the FIN of their cut keep-alive sockets (a poll phase),
      // so their next request opens a new connection and is refused, rather than writing to a
      // pooled socket that is already dead.
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    },
    acceptConnections: () => (listening ? Promise.resolve() : listen()),
    addCdnFile(name, bytes, mimeType) {
      cdn.set(name, { bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), mimeType });
      return `${base()}/cdn/${encodeURIComponent(name)}`;
    },
    addMedia(mediaId, bytes, mimeType, filename) {
      media.set(mediaId, { bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes), mimeType, filename });
    },
    stub(method, path, answer) {
      stubs.unshift({ method: method.toUpperCase(), path, answer });
    },
    templates(wabaId) {
      return templates.get(wabaId) ?? [];
    },
    setTemplates(wabaId, list) {
      templates.set(wabaId, structuredClone(list));
    },
    sendStatusWebhooks(target) {
      statusTarget = target;
      if (!target) {
        for (const timer of webhookTimers) clearTimeout(timer);
        webhookTimers.clear();
        pendingWebhooks = 0;
      }
    },
    pendingStatusWebhooks: () => pendingWebhooks,
    async reset() {
      requests.length = 0;
      templates.clear();
      media.clear();
      cdn.clear();
      stubs.length = 0;
      failures.length = 0;
      hangFor = undefined;
      dropHeld();
      if (!listening) await listen();
    },
    async stop() {
      fake.sendStatusWebhooks(null);
      await close();
    },
  };
  return fake;
}
