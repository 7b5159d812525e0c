// Internal notes on a conversation. Authors edit and delete their own; conversations.manage may moderate.
import { visibleConversation } from '../divisions/visibility.service.js';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { forbidden, notFound } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { UserEntity } from '../agents/agent.entity.js';
import { NoteEntity, type Note } from './note.entity.js';

async function views(ctx: TenantCtx, notes: Note[]) {
  const authors = await scoped(ctx, UserEntity).find();
  const byId = new Map(authors.map((a) => [a.id, a.name]));
  return notes.map((n) => ({
    id: n.id,
    conversationId: n.conversationId,
    body: n.body,
    author: n.authorId ? { id: n.authorId, name: byId.get(n.authorId) ?? null } : null,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
  }));
}

async function ownNote(ctx: TenantCtx, conversationId: string, noteId: string) {
  const note = await scoped(ctx, NoteEntity).get(noteId, 'Note');
  if (note.conversationId !== conversationId) throw notFound('Note');
  if (note.authorId !== ctx.principal.userId && !ctx.principal.permissions.has('conversations.manage')) {
    throw forbidden('Only the author (or someone with conversations.manage) can change this note');
  }
  return note;
}

export const notesService = {
  async list(ctx: TenantCtx, conversationId: string, q: { limit: number; cursor?: string }) {
    await visibleConversation(ctx, conversationId);
    const page = await scoped(ctx, NoteEntity).page({ where: { conversationId }, limit: q.limit, cursor: q.cursor });
    return { data: await views(ctx, page.data), nextCursor: page.nextCursor };
  },

  async create(ctx: TenantCtx, conversationId: string, body: string) {
    await visibleConversation(ctx, conversationId);
    const now = ctx.now();
    const note = await ctx.transaction(async (m) => {
      const created = await scoped(ctx, NoteEntity, m).insert({
        conversationId,
        authorId: ctx.principal.userId,
        body,
        createdAt: now,
        updatedAt: now,
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'note.created', payload: { note: (await views(ctx, [created]))[0] } }, now);
      return created;
    });
    return (await views(ctx, [note]))[0];
  },

  async update(ctx: TenantCtx, conversationId: string, noteId: string, body: string) {
    const note = await ownNote(ctx, conversationId, noteId);
    const now = ctx.now();
    const updated = { ...note, body, updatedAt: now };
    await ctx.transaction(async (m) => {
      await scoped(ctx, NoteEntity, m).update(noteId, { body, updatedAt: now });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'note.updated', payload: { note: (await views(ctx, [updated]))[0] } }, now);
    });
    return (await views(ctx, [updated]))[0];
  },

  async remove(ctx: TenantCtx, conversationId: string, noteId: string) {
    await ownNote(ctx, conversationId, noteId);
    await ctx.transaction(async (m) => {
      await scoped(ctx, NoteEntity, m).remove(noteId);
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'note.deleted', payload: { noteId, conversationId } }, ctx.now());
    });
  },
};
