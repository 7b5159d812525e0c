// Message search: SQLite FTS5 over message text and contact names, ranked by bm25, with snippets.
import type { TenantCtx } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { conversationScope } from '../divisions/visibility.js';

/** Turns what a person typed into a safe FTS5 query: every word must appear; the last may be a prefix. */
export function ftsQuery(input: string): string | null {
  const words = input.normalize('NFKC').match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.slice(0, 16).map((w, i, all) => `"${w}"${i === all.length - 1 && w.length >= 2 ? '*' : ''}`).join(' ');
}

// Snippets come back with control-character markers, so the text can be HTML-escaped safely
// before the markers become <mark> tags.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function highlight(snippet: string): string {
  return snippet.replace(/[&<>"']/g, (c) => ESCAPES[c]).replaceAll('\u0002', '<mark>').replaceAll('\u0003', '</mark>');
}

export async function searchMessages(ctx: TenantCtx, q: { q: string; limit: number; cursor?: string; conversationId?: string }) {
  const match = ftsQuery(q.q);
  if (!match) throw badRequest('Type at least one word to search for', [{ path: 'query.q', message: 'No searchable words' }]);
  const offset = q.cursor ? Number.parseInt(Buffer.from(q.cursor, 'base64url').toString('utf8'), 10) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  const params: unknown[] = [match, ctx.tenantId];
  let extra = '';
  if (q.conversationId) {
    extra = ' AND f.conversation_id = ?';
    params.push(q.conversationId);
  }
  // Only conversations the caller may see (their divisions', their own, and those in no division).
  const scope = await conversationScope(ctx);
  if (scope) {
    const divisions = scope.divisionIds.length ? ` OR c.divisionId IN (${scope.divisionIds.map(() => '?').join(', ')})` : '';
    extra += ` AND (c.divisionId IS NULL OR c.assigneeId = ?${divisions})`;
    params.push(scope.userId, ...scope.divisionIds);
  }
  params.push(q.limit + 1, offset);
  const rows: { message_id: string; conversation_id: string; snippet: string; contact_snippet: string; rank: number; direction: string; type: string; createdAt: string; text: string | null }[] = await ctx.db.query(
    `SELECT f.message_id, f.conversation_id,
            snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snippet,
            snippet(messages_fts, 1, char(2), char(3), '…', 8) AS contact_snippet,
            bm25(messages_fts, 1.0, 0.5) AS rank, m.direction, m.type, m.createdAt, m.text
       FROM messages_fts f JOIN messages m ON m.id = f.message_id JOIN conversations c ON c.id = f.conversation_id
      WHERE messages_fts MATCH ? AND f.tenant_id = ?${extra}
      ORDER BY rank, f.message_id DESC
      LIMIT ? OFFSET ?`,
    params,
  );
  const more = rows.length > q.limit;
  const data = (more ? rows.slice(0, q.limit) : rows).map((r) => ({
    messageId: r.message_id, conversationId: r.conversation_id, snippet: highlight(r.snippet), contactName: r.contact_snippet ? highlight(r.contact_snippet) : null,
    direction: r.direction, type: r.type, createdAt: new Date(r.createdAt.replace(' ', 'T') + (r.createdAt.endsWith('Z') ? '' : 'Z')).toISOString(), rank: r.rank,
  }));
  return { data, nextCursor: more ? Buffer.from(String(offset + q.limit)).toString('base64url') : null };
}
