// The baseline the appliance is compared with: the same work with nothing but Express, raw
// better-sqlite3 and a bare Socket.IO server. No auth, no validation, no ORM, no logging, no outbox:
// the floor of what this stack can do on this machine. Run as its own process, like the appliance.
//   GET  /health            200
//   POST /webhook           parses the JSON (keeping the raw bytes, like the appliance) and answers
//   GET  /inbox?tenant=&user=&limit=   the inbox query, hand-written SQL over the same database
//   GET  /search?tenant=&q=&limit=     the search query (same SQL as the appliance) over the same database
//   GET  /search?…&ranked=1            the search as it was before: bm25 over every match (for comparison)
//   POST /emit              emits the posted JSON as `message.created` to every connected socket
import { createServer } from 'node:http';
import express from 'express';
import Database from 'better-sqlite3';
import { Server as SocketServer } from 'socket.io';

const app = express();
const server = createServer(app);
const io = new SocketServer(server, { serveClient: false });
const db = process.env.BENCH_DB ? new Database(process.env.BENCH_DB, { readonly: true, fileMustExist: true }) : undefined;
db?.pragma('busy_timeout = 5000');

app.use(
  express.json({
    limit: '2mb',
    verify: (req, _res, buf) => {
      (req as unknown as { rawBody: Buffer }).rawBody = buf;
    },
  }),
);

app.get('/health', (_req, res) => {
  res.json({ status: 'healthy' });
});

app.post('/webhook', (_req, res) => {
  res.status(200).type('text/plain').send('EVENT_RECEIVED');
});

const iso = (v: string | null) => (v === null ? null : new Date(`${v.replace(' ', 'T')}Z`).toISOString());

const inboxStmt = db?.prepare(`SELECT * FROM conversations WHERE tenantId = ? AND status IN ('open') AND assigneeId = ?
  ORDER BY lastMessageAt DESC, id DESC LIMIT ?`);
app.get('/inbox', (req, res) => {
  const limit = Number(req.query.limit ?? 50);
  const rows = inboxStmt!.all(String(req.query.tenant), String(req.query.user), limit + 1) as Record<string, any>[];
  const page = rows.slice(0, limit);
  const contactIds = [...new Set(page.map((r) => r.contactId))];
  const userIds = [...new Set(page.map((r) => r.assigneeId).filter(Boolean))];
  const contacts = contactIds.length
    ? (db!
        .prepare(`SELECT id, name, phone, email FROM contacts WHERE tenantId = ? AND id IN (${contactIds.map(() => '?').join(',')})`)
        .all(String(req.query.tenant), ...contactIds) as Record<string, any>[])
    : [];
  const users = userIds.length
    ? (db!
        .prepare(`SELECT id, name FROM users WHERE tenantId = ? AND id IN (${userIds.map(() => '?').join(',')})`)
        .all(String(req.query.tenant), ...userIds) as Record<string, any>[])
    : [];
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const userById = new Map(users.map((u) => [u.id, u]));
  res.json({
    data: page.map((r) => ({
      id: r.id,
      channel: r.channel,
      accountId: r.accountId,
      status: r.status,
      priority: r.priority,
      tags: JSON.parse(r.tags),
      unreadCount: r.unreadCount,
      lastMessageAt: iso(r.lastMessageAt),
      lastMessagePreview: r.lastMessagePreview,
      lastInboundAt: iso(r.lastInboundAt),
      windowExpiresAt: iso(r.windowExpiresAt),
      divisionId: r.divisionId,
      aiAgentId: r.aiAgentId,
      contact: contactById.get(r.contactId) ?? { id: r.contactId, name: null, phone: null, email: null },
      assignee: r.assigneeId ? (userById.get(r.assigneeId) ?? null) : null,
      resolvedAt: iso(r.resolvedAt),
      createdAt: iso(r.createdAt),
      updatedAt: iso(r.updatedAt),
    })),
    nextCursor:
      rows.length > limit
        ? Buffer.from(`${iso(page[page.length - 1].lastMessageAt)}|${page[page.length - 1].id}`).toString('base64url')
        : null,
  });
});

// The appliance's search SQL as the owner runs it (server/modules/messages/search.service.ts; the join
// to conversations is there for division scoping, which the owner is not subject to), without the
// ORM; and, ranked by bm25 over every match, what the appliance did before (README, "Search").
const searchSql = (ranked: boolean) => `SELECT f.rowid AS at, f.message_id, f.conversation_id,
            snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snippet,
            snippet(messages_fts, 1, char(2), char(3), '…', 8) AS contact_snippet,
            ${ranked ? 'bm25(messages_fts, 1.0, 0.5) AS rank, ' : ''}m.direction, m.type, m.createdAt
       FROM messages_fts f JOIN messages m ON m.id = f.message_id JOIN conversations c ON c.id = f.conversation_id
      WHERE messages_fts MATCH ? AND f.tenant_id = ?
      ORDER BY ${ranked ? 'rank, f.message_id DESC' : 'f.rowid DESC'}
      LIMIT ?`;
const searchStmt = db?.prepare(searchSql(false));
const rankedStmt = db?.prepare(searchSql(true));
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const highlight = (s: string) =>
  s
    .replace(/[&<>"']/g, (c) => ESCAPES[c])
    .replaceAll('\u0002', '<mark>')
    .replaceAll('\u0003', '</mark>');
app.get('/search', (req, res) => {
  const limit = Number(req.query.limit ?? 20);
  const words =
    String(req.query.q)
      .normalize('NFKC')
      .match(/[\p{L}\p{N}_]+/gu) ?? [];
  const match = words
    .slice(0, 16)
    .map((w, i, all) => `"${w}"${i === all.length - 1 && w.length >= 2 ? '*' : ''}`)
    .join(' ');
  const stmt = req.query.ranked ? rankedStmt! : searchStmt!;
  const rows = stmt.all(match, String(req.query.tenant), limit + 1) as Record<string, any>[];
  const page = rows.slice(0, limit);
  res.json({
    data: page.map((r) => ({
      messageId: r.message_id,
      conversationId: r.conversation_id,
      snippet: highlight(r.snippet),
      contactName: r.contact_snippet ? highlight(r.contact_snippet) : null,
      direction: r.direction,
      type: r.type,
      createdAt: iso(r.createdAt),
    })),
    nextCursor: rows.length > limit ? Buffer.from(String(page[page.length - 1].at)).toString('base64url') : null,
  });
});

io.on('connection', (socket) => {
  void socket.join('tenant');
});
// Like the appliance, answer first and push after (there a job turns the stored webhook into the push).
app.post('/emit', (req, res) => {
  res.on('finish', () => setImmediate(() => io.to('tenant').emit('message.created', req.body)));
  res.status(200).end();
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
const stop = () => {
  io.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
