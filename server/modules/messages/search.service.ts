// Message search: SQLite FTS5 over message text and contact names, newest first, with snippets.
import escapeHtml from 'escape-html';
import type { TenantCtx } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { conversationScope, scopeSql } from '../divisions/visibility.service.js';
import { indexPendingMessages } from './search-index.js';

/** Turns what a person typed into a safe FTS5 query: every word must appear; the last may be a prefix. */
export function ftsQuery(input: string): string | null {
  const words = input.normalize('NFKC').match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, 16)
    .map((w, i, all) => `"${w}"${i === all.length - 1 && w.length >= 2 ? '*' : ''}`)
    .join(' ');
}

// Snippets come back with control-character markers, so the text can be HTML-escaped safely
// before the markers become <mark> tags.
function highlight(snippet: string): string {
  return escapeHtml(snippet).replaceAll('\u0002', '<mark>').replaceAll('\u0003', '</mark>');
}

// Newest first: FTS5 walks the matches in rowid order (rowids follow insertion, so time) and stops
// once the page is full, so a word in half of all messages costs no more than a rare one. Ranking
// every match by relevance (bm25) instead took 0.2–1 s for common words over 1,000,000 messages
// (test/bench/README.md); people searching a chat history mostly want the latest mention, as in
// WhatsApp's own search. (Even bm25 for the page alone doubles a common word's cost: FTS5 counts
// every match to weigh the terms, so hits carry no relevance score.)
export async function searchMessages(ctx: TenantCtx, q: { q: string; limit: number; cursor?: string; conversationId?: string }) {
  const match = ftsQuery(q.q);
  if (!match) throw badRequest('Type at least one word to search for', [{ path: 'query.q', message: 'No searchable words' }]);
  // The cursor is the index row after which the next page starts.
  const before = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString('utf8')) : undefined;
  if (before !== undefined && (!Number.isSafeInteger(before) || before < 1))
    throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  const params: unknown[] = [match, ctx.tenantId];
  let extra = '';
  if (before !== undefined) {
    extra += ' AND f.rowid < ?';
    params.push(before);
  }
  if (q.conversationId) {
    // Through the index on the content table's conversation column (FTS5 keeps it unindexed).
    extra += ' AND f.rowid IN (SELECT id FROM messages_fts_content WHERE c4 = ?)';
    params.push(q.conversationId);
  }
  // Only conversations the caller may see (their divisions', their own, and those in no division).
  const visible = scopeSql('c', await conversationScope(ctx));
  if (visible) {
    extra += ` AND ${visible.sql}`;
    params.push(...visible.params);
  }
  params.push(q.limit + 1);
  // Messages stored since the indexer last ran are indexed first (search-index.ts).
  await indexPendingMessages(ctx.db);
  const rows: {
    at: number;
    message_id: string;
    conversation_id: string;
    snippet: string;
    contact_snippet: string;
    direction: string;
    type: string;
    createdAt: string;
  }[] = await ctx.db.query(
    `SELECT f.rowid AS at, f.message_id, f.conversation_id,
            snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snippet,
            snippet(messages_fts, 1, char(2), char(3), '…', 8) AS contact_snippet,
            m.direction, m.type, m.createdAt
       FROM messages_fts f JOIN messages m ON m.id = f.message_id JOIN conversations c ON c.id = f.conversation_id
      WHERE messages_fts MATCH ? AND f.tenant_id = ?${extra}
      ORDER BY f.rowid DESC
      LIMIT ?`,
    params,
  );
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const data = page.map((r) => ({
    messageId: r.message_id,
    conversationId: r.conversation_id,
    snippet: highlight(r.snippet),
    contactName: r.contact_snippet ? highlight(r.contact_snippet) : null,
    direction: r.direction,
    type: r.type,
    createdAt: new Date(r.createdAt.replace(' ', 'T') + (r.createdAt.endsWith('Z') ? '' : 'Z')).toISOString(),
  }));
  return { data, nextCursor: more ? Buffer.from(String(page[page.length - 1].at)).toString('base64url') : null };
}
