// Contacts: the customers. Each is known on channels by identities (wa_id, PSID, email address).
import { In, Like, type EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { unprocessable } from '../../core/http/errors.js';
import { MessageEntity } from '../messages/message.entity.js';
import type { Channel } from '../../channels/types.js';
import { ContactEntity, ContactIdentityEntity, type Contact, type ContactIdentity } from './contact.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { conversationViews } from '../conversations/conversation-views.service.js';
import { canSee, conversationScope } from '../divisions/visibility.service.js';

/**
 * Opts a contact out of broadcasts (or back in), e.g. when they sent STOP or BERHENTI. Emits
 * contact.updated. Returns false when nothing changed. Call inside a transaction.
 */
export async function setContactOptOut(
  m: EntityManager,
  input: { tenantId: string; contactId: string; optedOut: boolean; source: string | null },
  now: Date,
): Promise<boolean> {
  const contacts = m.getRepository(ContactEntity);
  const contact = await contacts.findOne({ where: { tenantId: input.tenantId, id: input.contactId } });
  if (!contact || Boolean(contact.optedOutAt) === input.optedOut) return false;
  await contacts.update(
    { id: contact.id },
    { optedOutAt: input.optedOut ? now : null, optOutSource: input.optedOut ? input.source : null, updatedAt: now },
  );
  await emitEvent(
    m,
    {
      tenantId: input.tenantId,
      type: 'contact.updated',
      payload: { contactId: contact.id, fields: ['optedOut'], optedOut: input.optedOut },
    },
    now,
  );
  return true;
}

export function contactView(c: Contact, identities: ContactIdentity[] = []) {
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    attributes: c.attributes,
    lastSeenAt: c.lastSeenAt,
    optedOut: Boolean(c.optedOutAt),
    optedOutAt: c.optedOutAt ?? null,
    optOutSource: c.optOutSource ?? null,
    identities: identities.map((i) => ({ channel: i.channel, externalId: i.externalId })),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** Finds the contact behind a channel identity, creating both on first contact. */
export async function findOrCreateContact(
  m: EntityManager,
  tenantId: string,
  identity: { channel: Channel; externalId: string; name?: string | null; phone?: string | null; email?: string | null },
  now: Date,
): Promise<{ contact: Contact; created: boolean }> {
  const ids = m.getRepository(ContactIdentityEntity);
  const contacts = m.getRepository(ContactEntity);
  const known = await ids.findOne({ where: { tenantId, channel: identity.channel, externalId: identity.externalId } });
  if (known) {
    const contact = await contacts.findOneOrFail({ where: { id: known.contactId, tenantId } });
    const patch: Partial<Contact> = { lastSeenAt: now };
    // A profile name fills an empty name but never overwrites what an agent typed.
    if (!contact.name && identity.name) patch.name = identity.name;
    await contacts.update({ id: contact.id }, patch);
    return { contact: { ...contact, ...patch }, created: false };
  }
  const contact: Contact = {
    id: newId(),
    tenantId,
    name: identity.name ?? null,
    phone: identity.phone ?? null,
    email: identity.email ?? null,
    attributes: {},
    lastSeenAt: now,
    createdAt: now,
    updatedAt: now,
  };
  await contacts.insert(contact as never);
  await ids.insert({
    id: newId(),
    tenantId,
    contactId: contact.id,
    channel: identity.channel,
    externalId: identity.externalId,
    createdAt: now,
  });
  await emitEvent(m, { tenantId, type: 'contact.created', payload: { contactId: contact.id } }, now);
  return { contact, created: true };
}

async function withIdentities(ctx: TenantCtx, contacts: Contact[]) {
  const identities = contacts.length ? await scoped(ctx, ContactIdentityEntity).find({ contactId: In(contacts.map((c) => c.id)) }) : [];
  return contacts.map((c) =>
    contactView(
      c,
      identities.filter((i) => i.contactId === c.id),
    ),
  );
}

export const contactsService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; search?: string }) {
    const s = q.search;
    const where = s ? [{ name: Like(`%${s}%`) }, { phone: Like(`%${s}%`) }, { email: Like(`%${s.toLowerCase()}%`) }] : {};
    const page = await scoped(ctx, ContactEntity).page({ where, limit: q.limit, cursor: q.cursor });
    return { data: await withIdentities(ctx, page.data), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string) {
    return (await withIdentities(ctx, [await scoped(ctx, ContactEntity).get(id, 'Contact')]))[0];
  },

  async update(
    ctx: TenantCtx,
    id: string,
    body: { name?: string | null; phone?: string | null; email?: string | null; attributes?: Record<string, string>; optedOut?: boolean },
  ) {
    const current = await scoped(ctx, ContactEntity).get(id, 'Contact');
    const now = ctx.now();
    const { optedOut, ...fields } = body;
    const patch: Partial<Contact> = { ...fields, updatedAt: now };
    if (optedOut !== undefined && optedOut !== Boolean(current.optedOutAt)) {
      patch.optedOutAt = optedOut ? now : null;
      patch.optOutSource = optedOut ? 'agent' : null;
    }
    await ctx.transaction(async (m) => {
      await scoped(ctx, ContactEntity, m).update(id, patch);
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'contact.updated', payload: { contactId: id, fields: Object.keys(body) } }, now);
    });
    return this.get(ctx, id);
  },

  /**
   * Merges `otherId` into `id` (the same person on two channels): the other contact's identities,
   * conversations and messages move here, its details fill fields that are empty here (attributes
   * here win), and the other contact is deleted. Recorded in the activity log; emits contact.merged.
   */
  async merge(ctx: TenantCtx, id: string, otherId: string) {
    if (id === otherId)
      throw unprocessable('A contact cannot be merged into itself', [{ path: 'contactId', message: 'Must be another contact' }]);
    const keep = await scoped(ctx, ContactEntity).get(id, 'Contact');
    const other = await scoped(ctx, ContactEntity).get(otherId, 'Contact');
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const tenantId = ctx.tenantId;
      const identities = await scoped(ctx, ContactIdentityEntity, m).find({ contactId: other.id });
      const moved = await scoped(ctx, ConversationEntity, m).count({ contactId: other.id });
      await m.getRepository(ContactIdentityEntity).update({ tenantId, contactId: other.id }, { contactId: keep.id });
      await m.getRepository(ConversationEntity).update({ tenantId, contactId: other.id }, { contactId: keep.id });
      await m.getRepository(MessageEntity).update({ tenantId, senderType: 'contact', senderId: other.id }, { senderId: keep.id });
      const patch: Partial<Contact> = {
        name: keep.name ?? other.name,
        phone: keep.phone ?? other.phone,
        email: keep.email ?? other.email,
        attributes: { ...other.attributes, ...keep.attributes },
        lastSeenAt:
          [keep.lastSeenAt, other.lastSeenAt].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null,
        updatedAt: now,
      };
      await scoped(ctx, ContactEntity, m).update(keep.id, patch);
      await scoped(ctx, ContactEntity, m).remove(other.id);
      const type = m.connection.options.type;
      if (type === 'better-sqlite3' || type === 'sqlite') {
        // Search shows the contact's name beside each message: the moved conversations now have this one.
        await m.query(
          'UPDATE messages_fts SET contact_name = ? WHERE tenant_id = ? AND conversation_id IN (SELECT id FROM conversations WHERE contactId = ?)',
          [patch.name ?? null, tenantId, keep.id],
        );
      }
      await recordActivity(ctx, m, {
        tenantId,
        action: 'contact.merged',
        targetType: 'contact',
        targetId: keep.id,
        details: {
          mergedContactId: other.id,
          mergedName: other.name,
          identities: identities.map((i) => ({ channel: i.channel, externalId: i.externalId })),
          conversations: moved,
        },
      });
      await emitEvent(m, { tenantId, type: 'contact.merged', payload: { contactId: keep.id, mergedContactId: other.id } }, now);
    });
    return this.get(ctx, id);
  },

  async conversations(ctx: TenantCtx, id: string, q: { limit: number; cursor?: string }) {
    await scoped(ctx, ContactEntity).get(id, 'Contact');
    const page = await scoped(ctx, ConversationEntity).page({ where: { contactId: id }, limit: q.limit, cursor: q.cursor });
    // Conversations of divisions the caller is not in stay hidden here too.
    const scope = await conversationScope(ctx);
    return {
      data: await conversationViews(
        ctx,
        page.data.filter((c) => canSee(scope, c)),
      ),
      nextCursor: page.nextCursor,
    };
  },
};
