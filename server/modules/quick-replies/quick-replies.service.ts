// Quick replies: personal (one agent's) and shared (the team's, managed with quick_replies.manage)
// canned answers with shortcuts, variables and an optional attachment; per-agent favorites and usage
// counts order the composer's picker; CSV import (good rows kept, bad rows reported by line) and export.
import { visibleConversation } from '../divisions/visibility.service.js';
import { In } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../../core/http/errors.js';
import { isId, newId } from '../../core/ids.js';
import { lazy } from '../../core/lazy.js';
import type { UploadedFile } from '../../core/http/registry.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { MediaEntity, type Media } from '../media/media.entity.js';
import { QuickReplyEntity, QuickReplyFavoriteEntity, type QuickReply, type QuickReplyScope } from './quick-reply.entity.js';
import { render, unknownVariables, variablesIn, VARIABLES, type VariableValues } from './quick-reply.template.js';

// The CSV packages are imported by the first import or export.
const loadCsvParse = lazy(() => import('csv-parse/sync'));
const loadCsvStringify = lazy(() => import('csv-stringify/sync'));

export const SHORTCUT_PATTERN = /^[\p{L}\p{N}_.-]{1,64}$/u;
export const MAX_BODY = 4096;
export const MAX_IMPORT_ROWS = 5000;

export interface QuickReplyInput {
  shortcut: string;
  title?: string | null;
  body: string;
  scope: QuickReplyScope;
  mediaId?: string | null;
}

const canManageShared = (ctx: TenantCtx) => ctx.principal.permissions.has('quick_replies.manage');
const ownerKeyFor = (ctx: TenantCtx, scope: QuickReplyScope) => (scope === 'shared' ? 'shared' : ctx.principal.userId);

/** "/Thanks " → "thanks": the slash the composer uses is not part of the shortcut. */
export const normalizeShortcut = (value: string) => value.trim().replace(/^\/+/, '').toLowerCase();

function mediaView(m: Media | undefined) {
  return m ? { id: m.id, mimeType: m.mimeType, filename: m.filename, size: m.size, url: `/api/v1/media/${m.id}` } : null;
}

function view(r: QuickReply, extra: { favorite: boolean; media?: Media; rendered?: string | null }) {
  return {
    id: r.id,
    shortcut: r.shortcut,
    title: r.title,
    body: r.body,
    scope: r.scope,
    ownerId: r.ownerId,
    mediaId: r.mediaId,
    media: mediaView(extra.media),
    variables: variablesIn(r.body),
    rendered: extra.rendered ?? null,
    favorite: extra.favorite,
    usageCount: r.usageCount,
    lastUsedAt: r.lastUsedAt,
    createdById: r.createdById,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
export type QuickReplyView = ReturnType<typeof view>;

/** A reply the caller may see: shared, or their own personal one. Another agent's personal reply is not found. */
async function visible(ctx: TenantCtx, id: string): Promise<QuickReply> {
  const reply = await scoped(ctx, QuickReplyEntity).get(id, 'Quick reply');
  if (reply.scope === 'personal' && reply.ownerId !== ctx.principal.userId) throw notFound('Quick reply');
  return reply;
}

function requireManage(ctx: TenantCtx, scope: QuickReplyScope): void {
  if (scope === 'shared' && !canManageShared(ctx)) throw forbidden('Shared quick replies need the "quick_replies.manage" permission');
}

function checkBody(body: string, path = 'body'): void {
  const unknown = unknownVariables(body);
  if (unknown.length) {
    throw badRequest(`Unknown variable ${unknown.map((n) => `{{${n}}}`).join(', ')}`, [
      {
        path,
        message: `Unknown variable ${unknown.map((n) => `{{${n}}}`).join(', ')}; use ${Object.keys(VARIABLES)
          .map((n) => `{{${n}}}`)
          .join(', ')}`,
      },
    ]);
  }
}

async function checkMedia(ctx: TenantCtx, mediaId: string | null | undefined): Promise<void> {
  if (!mediaId) return;
  if (!isId(mediaId) || !(await scoped(ctx, MediaEntity).findOne({ id: mediaId }))) {
    throw unprocessable('The attachment does not exist; upload it first with POST /api/v1/media', [
      { path: 'mediaId', message: 'No such media' },
    ]);
  }
}

async function checkShortcutFree(ctx: TenantCtx, ownerKey: string, shortcut: string, exceptId?: string): Promise<void> {
  const taken = await scoped(ctx, QuickReplyEntity).findOne({ ownerKey, shortcut });
  if (taken && taken.id !== exceptId) {
    throw conflict(
      `The shortcut "/${shortcut}" is already used by another ${ownerKey === 'shared' ? 'shared' : 'of your personal'} quick reply`,
      [{ path: 'shortcut', message: 'Already used' }],
    );
  }
}

/** The values variables are filled with, for a conversation and the calling agent. */
async function variableValues(ctx: TenantCtx, conversationId: string): Promise<VariableValues> {
  const conversation = await visibleConversation(ctx, conversationId);
  const contact = await scoped(ctx, ContactEntity).findOne({ id: conversation.contactId });
  const tenant = await ctx.db.getRepository(TenantEntity).findOne({ where: { id: ctx.tenantId } });
  return {
    'contact.name': contact?.name ?? null,
    'contact.first_name': contact?.name?.trim().split(/\s+/)[0] ?? null,
    'contact.phone': contact?.phone ?? null,
    'contact.email': contact?.email ?? null,
    'agent.name': ctx.principal.name,
    'agent.email': ctx.principal.email,
    'tenant.name': tenant?.name ?? null,
  };
}

async function views(ctx: TenantCtx, rows: QuickReply[], values?: VariableValues) {
  if (rows.length === 0) return [];
  const favorites = await scoped(ctx, QuickReplyFavoriteEntity).find({
    userId: ctx.principal.userId,
    quickReplyId: In(rows.map((r) => r.id)),
  });
  const favored = new Set(favorites.map((f) => f.quickReplyId));
  const mediaIds = [...new Set(rows.map((r) => r.mediaId).filter((m): m is string => Boolean(m)))];
  const media = mediaIds.length ? await scoped(ctx, MediaEntity).find({ id: In(mediaIds) }) : [];
  const mediaById = new Map(media.map((m) => [m.id, m]));
  return rows.map((r) =>
    view(r, {
      favorite: favored.has(r.id),
      media: r.mediaId ? mediaById.get(r.mediaId) : undefined,
      rendered: values ? render(r.body, values) : null,
    }),
  );
}

const oneView = async (ctx: TenantCtx, row: QuickReply, values?: VariableValues) => (await views(ctx, [row], values))[0];

// The picker's order is computed, not a column: the cursor is the offset into it.
const encodeOffset = (n: number) => Buffer.from(`o:${n}`).toString('base64url');
function decodeOffset(cursor: string): number {
  const m = /^o:(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  return Number(m[1]);
}

/** Shared replies and the caller's own, as rows. */
function visibleRows(ctx: TenantCtx, scope?: QuickReplyScope) {
  const repo = scoped(ctx, QuickReplyEntity);
  const where = [
    ...(scope !== 'personal' ? [{ scope: 'shared' as const }] : []),
    ...(scope !== 'shared' ? [{ scope: 'personal' as const, ownerId: ctx.principal.userId }] : []),
  ];
  return repo.repo.find({ where: where.map((w) => repo.where(w)) });
}

// CSV cells that spreadsheets would run as formulas are written with a leading apostrophe, which
// the import takes off again, so an export imports back unchanged.
const FORMULA_START = /^[=+\-@\t\r]/;
const escapeCell = (value: string | null) => (value && FORMULA_START.test(value) ? `'${value}` : (value ?? ''));
const unescapeCell = (value: string) => (value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value);

export const CSV_COLUMNS = ['shortcut', 'title', 'scope', 'body', 'mediaId'] as const;

export const quickRepliesService = {
  async list(
    ctx: TenantCtx,
    q: { limit: number; cursor?: string; search?: string; scope?: QuickReplyScope; favorite?: boolean; conversationId?: string },
  ) {
    const values = q.conversationId ? await variableValues(ctx, q.conversationId) : undefined;
    const offset = q.cursor ? decodeOffset(q.cursor) : 0;
    let rows = await visibleRows(ctx, q.scope);
    const favorites = new Set(
      (await scoped(ctx, QuickReplyFavoriteEntity).find({ userId: ctx.principal.userId })).map((f) => f.quickReplyId),
    );
    if (q.search) {
      const needle = normalizeShortcut(q.search);
      const text = q.search.trim().toLowerCase();
      rows = rows.filter(
        (r) => r.shortcut.includes(needle) || (r.title ?? '').toLowerCase().includes(text) || r.body.toLowerCase().includes(text),
      );
    }
    if (q.favorite !== undefined) rows = rows.filter((r) => favorites.has(r.id) === q.favorite);
    // Favorites first, then the most used, then by shortcut (a shortcut the search starts with first).
    const prefix = q.search ? normalizeShortcut(q.search) : '';
    rows.sort(
      (a, b) =>
        Number(favorites.has(b.id)) - Number(favorites.has(a.id)) ||
        (prefix ? Number(b.shortcut.startsWith(prefix)) - Number(a.shortcut.startsWith(prefix)) : 0) ||
        b.usageCount - a.usageCount ||
        a.shortcut.localeCompare(b.shortcut) ||
        a.scope.localeCompare(b.scope),
    );
    const pageRows = rows.slice(offset, offset + q.limit);
    const more = offset + q.limit < rows.length;
    return { data: await views(ctx, pageRows, values), nextCursor: more ? encodeOffset(offset + q.limit) : null };
  },

  async create(ctx: TenantCtx, input: QuickReplyInput) {
    requireManage(ctx, input.scope);
    checkBody(input.body);
    await checkMedia(ctx, input.mediaId);
    const ownerKey = ownerKeyFor(ctx, input.scope);
    const shortcut = normalizeShortcut(input.shortcut);
    await checkShortcutFree(ctx, ownerKey, shortcut);
    const now = ctx.now();
    const row = await scoped(ctx, QuickReplyEntity).insert({
      scope: input.scope,
      ownerId: input.scope === 'personal' ? ctx.principal.userId : null,
      ownerKey,
      shortcut,
      title: input.title ?? null,
      body: input.body,
      mediaId: input.mediaId ?? null,
      usageCount: 0,
      lastUsedAt: null,
      createdById: ctx.principal.userId,
      createdAt: now,
      updatedAt: now,
    });
    return oneView(ctx, row);
  },

  async update(ctx: TenantCtx, id: string, input: Partial<QuickReplyInput>) {
    const reply = await visible(ctx, id);
    requireManage(ctx, reply.scope);
    const scope = input.scope ?? reply.scope;
    requireManage(ctx, scope);
    if (input.body !== undefined) checkBody(input.body);
    if (input.mediaId !== undefined) await checkMedia(ctx, input.mediaId);
    // A shared reply made personal becomes the caller's.
    const ownerKey = scope === reply.scope ? reply.ownerKey : ownerKeyFor(ctx, scope);
    const shortcut = input.shortcut !== undefined ? normalizeShortcut(input.shortcut) : reply.shortcut;
    if (shortcut !== reply.shortcut || ownerKey !== reply.ownerKey) await checkShortcutFree(ctx, ownerKey, shortcut, reply.id);
    const patch: Partial<QuickReply> = {
      scope,
      ownerKey,
      ownerId: scope === 'shared' ? null : scope === reply.scope ? reply.ownerId : ctx.principal.userId,
      shortcut,
      updatedAt: ctx.now(),
    };
    if (input.title !== undefined) patch.title = input.title;
    if (input.body !== undefined) patch.body = input.body;
    if (input.mediaId !== undefined) patch.mediaId = input.mediaId;
    await scoped(ctx, QuickReplyEntity).update(id, patch);
    return oneView(ctx, { ...reply, ...patch });
  },

  async remove(ctx: TenantCtx, id: string): Promise<void> {
    const reply = await visible(ctx, id);
    requireManage(ctx, reply.scope);
    await scoped(ctx, QuickReplyEntity).remove(id);
  },

  /** Counts one use (the composer calls this when a reply is inserted); with a conversation, answers the filled text. */
  async recordUsage(ctx: TenantCtx, id: string, body: { conversationId?: string }) {
    const reply = await visible(ctx, id);
    const values = body.conversationId ? await variableValues(ctx, body.conversationId) : undefined;
    const now = ctx.now();
    // One statement, so concurrent uses all count.
    await ctx.db.getRepository(QuickReplyEntity).increment({ id, tenantId: ctx.tenantId }, 'usageCount', 1);
    await scoped(ctx, QuickReplyEntity).update(id, { lastUsedAt: now });
    const fresh = await scoped(ctx, QuickReplyEntity).get(id, 'Quick reply');
    return oneView(ctx, { ...reply, usageCount: fresh.usageCount, lastUsedAt: now }, values);
  },

  async favorite(ctx: TenantCtx, id: string) {
    const reply = await visible(ctx, id);
    const favorites = scoped(ctx, QuickReplyFavoriteEntity);
    if (!(await favorites.findOne({ quickReplyId: id, userId: ctx.principal.userId }))) {
      try {
        await favorites.insert({ quickReplyId: id, userId: ctx.principal.userId, createdAt: ctx.now() });
      } catch (err) {
        // A double click raced us: it is a favorite either way.
        if ((err as { driverError?: { code?: string } }).driverError?.code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
      }
    }
    return oneView(ctx, reply);
  },

  async unfavorite(ctx: TenantCtx, id: string): Promise<void> {
    await visible(ctx, id);
    await ctx.db.getRepository(QuickReplyFavoriteEntity).delete({ tenantId: ctx.tenantId, quickReplyId: id, userId: ctx.principal.userId });
  },

  async exportCsv(ctx: TenantCtx, q: { scope?: QuickReplyScope }): Promise<string> {
    const rows = (await visibleRows(ctx, q.scope)).sort((a, b) => a.scope.localeCompare(b.scope) || a.shortcut.localeCompare(b.shortcut));
    const records = rows.map((r) => [escapeCell(r.shortcut), escapeCell(r.title), r.scope, escapeCell(r.body), r.mediaId ?? '']);
    const { stringify: stringifyCsv } = await loadCsvStringify();
    // A byte-order mark, so spreadsheet programs read the file as UTF-8.
    return `\ufeff${stringifyCsv([[...CSV_COLUMNS], ...records], { record_delimiter: 'windows', quoted_match: /[\r\n]/ })}`;
  },

  /**
   * Imports rows `shortcut,title,scope,body,mediaId` (header required; title, scope and mediaId
   * optional). A row whose shortcut exists in the same scope updates that reply. Bad rows are
   * reported with their line number and skipped; the good rows are saved.
   */
  async importCsv(ctx: TenantCtx, file: UploadedFile, defaults: { scope: QuickReplyScope }) {
    const text = file.buffer.toString('utf8').replace(/\r\n?/g, '\n');
    const errors: { line: number; message: string }[] = [];
    let lastEnd = 1;
    let records: { record: Record<string, string>; raw: string; info: { lines: number; error?: { code?: string; record?: unknown[] } } }[];
    let header: string[] = [];
    const { parse: parseCsv } = await loadCsvParse();
    try {
      records = parseCsv(text, {
        bom: true,
        info: true,
        raw: true,
        skip_empty_lines: true,
        relax_column_count: true,
        skip_records_with_error: true,
        columns: (names: string[]) =>
          (header = names
            .map((h) =>
              String(h)
                .trim()
                .replace(/^\ufeff/, ''),
            )
            .map((h) => (h.toLowerCase() === 'mediaid' ? 'mediaId' : h.toLowerCase()))),
        on_skip: (err: { code?: string; lines?: number; message: string } | undefined) => {
          if (!err) return;
          const line = err.code === 'CSV_QUOTE_NOT_CLOSED' ? lastEnd + 1 : (err.lines ?? lastEnd + 1);
          errors.push({
            line,
            message:
              err.code === 'CSV_QUOTE_NOT_CLOSED'
                ? 'A quoted field is not closed: everything after its opening quote was skipped'
                : err.message,
          });
        },
        on_record: (rec: unknown, context: { lines: number }) => {
          lastEnd = context.lines;
          return rec;
        },
      } as never) as never;
    } catch (err) {
      throw unprocessable(`The file is not valid CSV: ${(err as Error).message}`, [{ path: 'file', message: 'Not valid CSV' }]);
    }
    if (!header.includes('shortcut') || !header.includes('body')) {
      throw unprocessable('The first line must name the columns: shortcut and body (and optionally title, scope, mediaId)', [
        { path: 'file', message: 'Missing header columns shortcut, body' },
      ]);
    }
    if (records.length > MAX_IMPORT_ROWS)
      throw unprocessable(`At most ${MAX_IMPORT_ROWS} rows can be imported at once`, [{ path: 'file', message: 'Too many rows' }]);

    type Planned = { line: number; input: QuickReplyInput & { shortcut: string }; ownerKey: string };
    const planned: Planned[] = [];
    const seen = new Map<string, number>();
    const mediaIds = new Set<string>();
    for (const { record, raw, info } of records) {
      const inner = raw.replace(/^\n+/, '').replace(/\n$/, '');
      const line = info.lines - (inner.match(/\n/g)?.length ?? 0);
      const fail = (message: string) => errors.push({ line, message });
      if (info.error?.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && (info.error.record?.length ?? 0) > header.length) {
        fail(`The row has more fields than the header (${header.length}); put text with commas in double quotes`);
        continue;
      }
      const cell = (name: string) => unescapeCell(String(record[name] ?? ''));
      const shortcut = normalizeShortcut(cell('shortcut'));
      const body = cell('body');
      const title = cell('title').trim() || null;
      const scopeText = cell('scope').trim().toLowerCase() || defaults.scope;
      const mediaId = cell('mediaId').trim() || null;
      if (!shortcut) {
        fail('shortcut is empty');
        continue;
      }
      if (!SHORTCUT_PATTERN.test(shortcut)) {
        fail(`shortcut "${shortcut.slice(0, 70)}" may only hold letters, digits, "_", "-" and "." (at most 64)`);
        continue;
      }
      if (!body.trim()) {
        fail('body is empty');
        continue;
      }
      if (body.length > MAX_BODY) {
        fail(`body is longer than ${MAX_BODY} characters`);
        continue;
      }
      if (title && title.length > 200) {
        fail('title is longer than 200 characters');
        continue;
      }
      if (scopeText !== 'personal' && scopeText !== 'shared') {
        fail(`scope must be "personal" or "shared", not "${scopeText.slice(0, 40)}"`);
        continue;
      }
      const scope = scopeText as QuickReplyScope;
      if (scope === 'shared' && !canManageShared(ctx)) {
        fail('Shared quick replies need the "quick_replies.manage" permission');
        continue;
      }
      const unknown = unknownVariables(body);
      if (unknown.length) {
        fail(`Unknown variable ${unknown.map((n) => `{{${n}}}`).join(', ')}`);
        continue;
      }
      if (mediaId && !isId(mediaId)) {
        fail('mediaId is not a media id');
        continue;
      }
      const ownerKey = ownerKeyFor(ctx, scope);
      const key = `${ownerKey}|${shortcut}`;
      if (seen.has(key)) {
        fail(`The shortcut "/${shortcut}" is already on line ${seen.get(key)}`);
        continue;
      }
      seen.set(key, line);
      if (mediaId) mediaIds.add(mediaId);
      planned.push({ line, ownerKey, input: { shortcut, title, body, scope, mediaId } });
    }
    const knownMedia = new Set(mediaIds.size ? (await scoped(ctx, MediaEntity).find({ id: In([...mediaIds]) })).map((m) => m.id) : []);
    const good = planned.filter((p) => {
      if (p.input.mediaId && !knownMedia.has(p.input.mediaId)) {
        errors.push({ line: p.line, message: `mediaId ${p.input.mediaId} does not exist` });
        return false;
      }
      return true;
    });

    let created = 0;
    let updated = 0;
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const repo = scoped(ctx, QuickReplyEntity, m);
      const existing = good.length
        ? await repo.find({ ownerKey: In([...new Set(good.map((g) => g.ownerKey))]), shortcut: In(good.map((g) => g.input.shortcut)) })
        : [];
      const byKey = new Map(existing.map((e) => [`${e.ownerKey}|${e.shortcut}`, e]));
      for (const { input, ownerKey } of good) {
        const found = byKey.get(`${ownerKey}|${input.shortcut}`);
        if (found) {
          await repo.update(found.id, { title: input.title ?? null, body: input.body, mediaId: input.mediaId ?? null, updatedAt: now });
          updated++;
        } else {
          await repo.insert({
            id: newId(),
            scope: input.scope,
            ownerId: input.scope === 'personal' ? ctx.principal.userId : null,
            ownerKey,
            shortcut: input.shortcut,
            title: input.title ?? null,
            body: input.body,
            mediaId: input.mediaId ?? null,
            usageCount: 0,
            lastUsedAt: null,
            createdById: ctx.principal.userId,
            createdAt: now,
            updatedAt: now,
          });
          created++;
        }
      }
    });
    errors.sort((a, b) => a.line - b.line);
    return { imported: created + updated, created, updated, errors };
  },
};
