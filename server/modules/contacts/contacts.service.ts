// Contacts: the customers. Each is known on channels by identities (wa_id, PSID, email address).
import { In, Like, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { badRequest, conflict, unprocessable } from '../../core/http/errors.js';
import type { UploadedFile } from '../../core/http/registry.js';
import { lazy } from '../../core/lazy.js';
import { regionOf, toE164 } from './phone.js';
import { MessageEntity } from '../messages/message.entity.js';
import type { Channel } from '../../channels/types.js';
import { ContactEntity, ContactIdentityEntity, type Contact, type ContactIdentity } from './contact.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { conversationViews } from '../conversations/conversation-views.service.js';
import { canSee, conversationScope } from '../divisions/visibility.service.js';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';
import { insertRows } from '../../db/insert-row.js';

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
    tags: c.tags ?? [],
    lastSeenAt: c.lastSeenAt,
    optedOut: Boolean(c.optedOutAt),
    optedOutAt: c.optedOutAt ?? null,
    optOutSource: c.optOutSource ?? null,
    identities: identities.map((i) => ({ channel: i.channel, externalId: i.externalId })),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** A customer as a channel names them, to be found or created (findOrCreateContacts). */
export interface ChannelIdentity {
  channel: Channel;
  externalId: string;
  name?: string | null;
  phone?: string | null;
  email?: string | null;
}

/** How findOrCreateContacts keys its answer: a channel and the customer's id on it. */
export const identityKey = (i: { channel: string; externalId: string }) => `${i.channel}\n${i.externalId}`;

/**
 * The contacts behind channel identities (the senders of a batch of webhooks), created when new
 * (with their identity, and contact.created), each marked seen now. One read of the identities and
 * one of their contacts for the lot, and one write of the time they were seen, instead of three
 * statements per message. Keyed by identityKey. Call inside a transaction.
 */
export async function findOrCreateContacts(
  m: EntityManager,
  tenantId: string,
  identities: ChannelIdentity[],
  now: Date,
): Promise<Map<string, Contact>> {
  const wanted = new Map<string, ChannelIdentity>();
  for (const i of identities) {
    const key = identityKey(i);
    const first = wanted.get(key);
    // The first profile name given for a customer is the one kept, as when they came one by one.
    if (!first) wanted.set(key, i);
    else if (!first.name && i.name) wanted.set(key, { ...first, name: i.name });
  }
  const found = new Map<string, Contact>();
  if (wanted.size === 0) return found;
  const byChannel = new Map<Channel, string[]>();
  for (const i of wanted.values()) byChannel.set(i.channel, [...(byChannel.get(i.channel) ?? []), i.externalId]);
  const known = await m.getRepository(ContactIdentityEntity).find({
    where: [...byChannel].map(([channel, externalIds]) => ({ tenantId, channel, externalId: In(externalIds) })),
  });
  const contacts = known.length
    ? await m.getRepository(ContactEntity).find({ where: { tenantId, id: In([...new Set(known.map((k) => k.contactId))]) } })
    : [];
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const seen = new Set<string>();
  for (const k of known) {
    const contact = contactById.get(k.contactId);
    if (!contact) continue;
    const name = wanted.get(identityKey(k))?.name;
    // A profile name fills an empty name but never overwrites what an agent typed.
    if (!contact.name && name) {
      contact.name = name;
      await m.getRepository(ContactEntity).update({ id: contact.id }, { name, lastSeenAt: now });
    } else seen.add(contact.id);
    contact.lastSeenAt = now;
    found.set(identityKey(k), contact);
  }
  if (seen.size) await m.getRepository(ContactEntity).update({ id: In([...seen]) }, { lastSeenAt: now });
  const created: Contact[] = [];
  const createdIdentities: ContactIdentity[] = [];
  for (const [key, i] of wanted) {
    if (found.has(key)) continue;
    const contact: Contact = {
      id: newId(),
      tenantId,
      name: i.name ?? null,
      phone: i.phone ?? null,
      email: i.email ?? null,
      attributes: {},
      tags: [],
      lastSeenAt: now,
      optedOutAt: null,
      optOutSource: null,
      createdAt: now,
      updatedAt: now,
    };
    created.push(contact);
    createdIdentities.push({ id: newId(), tenantId, contactId: contact.id, channel: i.channel, externalId: i.externalId, createdAt: now });
    found.set(key, contact);
  }
  await insertRows(m, ContactEntity, created);
  await insertRows(m, ContactIdentityEntity, createdIdentities);
  for (const contact of created) await emitEvent(m, { tenantId, type: 'contact.created', payload: { contactId: contact.id } }, now);
  return found;
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
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; search?: string; tag?: string }) {
    const s = q.search;
    // Tags are a JSON list of lower-case words: '"vip"' matches the tag exactly.
    const base: FindOptionsWhere<Contact> = q.tag ? { tags: Like(`%${JSON.stringify(normalizeTag(q.tag))}%`) as never } : {};
    const where = s
      ? [
          { ...base, name: Like(`%${s}%`) },
          { ...base, phone: Like(`%${s.replace(/^0/, '')}%`) },
          { ...base, email: Like(`%${s.toLowerCase()}%`) },
        ]
      : base;
    const page = await scoped(ctx, ContactEntity).page({ where, limit: q.limit, cursor: q.cursor });
    return { data: await withIdentities(ctx, page.data), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string) {
    return (await withIdentities(ctx, [await scoped(ctx, ContactEntity).get(id, 'Contact')]))[0];
  },

  async create(ctx: TenantCtx, body: ContactInput) {
    const region = await tenantRegion(ctx);
    const phone = body.phone ? normalizePhoneField(body.phone, region) : null;
    await refuseDuplicate(ctx, { phone, email: body.email ?? null });
    const now = ctx.now();
    const created = await ctx.transaction(async (m) => {
      const row = await scoped(ctx, ContactEntity, m).insert({
        name: body.name ?? null,
        phone,
        email: body.email ?? null,
        attributes: body.attributes ?? {},
        tags: normalizeTags(body.tags ?? []),
        lastSeenAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await recordActivity(ctx, m, { tenantId: ctx.tenantId, action: 'contact.created', targetType: 'contact', targetId: row.id });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'contact.created', payload: { contactId: row.id } }, now);
      return row;
    });
    return this.get(ctx, created.id);
  },

  async update(ctx: TenantCtx, id: string, body: ContactInput & { optedOut?: boolean }) {
    const current = await scoped(ctx, ContactEntity).get(id, 'Contact');
    const patch: Partial<Contact> = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.email !== undefined) patch.email = body.email;
    if (body.attributes !== undefined) patch.attributes = body.attributes;
    if (body.tags !== undefined) patch.tags = normalizeTags(body.tags);
    if (body.phone !== undefined) patch.phone = body.phone === null ? null : normalizePhoneField(body.phone, await tenantRegion(ctx));
    if (patch.phone || patch.email) await refuseDuplicate(ctx, { phone: patch.phone ?? null, email: patch.email ?? null }, id);
    const now = ctx.now();
    const { optedOut } = body;
    if (optedOut !== undefined && optedOut !== Boolean(current.optedOutAt)) {
      patch.optedOutAt = optedOut ? now : null;
      patch.optOutSource = optedOut ? 'agent' : null;
    }
    await ctx.transaction(async (m) => {
      await scoped(ctx, ContactEntity, m).update(id, { ...patch, updatedAt: now });
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
        tags: normalizeTags([...(keep.tags ?? []), ...(other.tags ?? [])]),
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

  /** Every contact as CSV: name, phone, email, tags (separated by ";"), then one column per custom attribute. */
  async exportCsv(ctx: TenantCtx, q: { tag?: string }): Promise<string> {
    const where: FindOptionsWhere<Contact> = q.tag ? { tags: Like(`%${JSON.stringify(normalizeTag(q.tag))}%`) as never } : {};
    const rows = (await scoped(ctx, ContactEntity).find(where)).slice(0, MAX_EXPORT_ROWS);
    rows.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id));
    const attributeNames = [...new Set(rows.flatMap((r) => Object.keys(r.attributes ?? {})))].sort();
    const header = [...CSV_COLUMNS, ...attributeNames];
    const records = rows.map((r) => [
      safeCell(r.name ?? ''),
      safeCell(r.phone ?? ''),
      safeCell(r.email ?? ''),
      safeCell((r.tags ?? []).join('; ')),
      ...attributeNames.map((n) => safeCell(r.attributes?.[n] ?? '')),
    ]);
    const { stringify } = await loadCsvStringify();
    // A byte-order mark, so spreadsheet programs read the file as UTF-8.
    return `\ufeff${stringify([header, ...records], { record_delimiter: 'windows' })}`;
  },

  /**
   * Imports contacts from CSV. Columns: name, phone, email, tags (";" or "," separated); any other
   * column is a custom attribute. A row whose phone or email belongs to a contact already updates
   * it (filled cells only; tags are added). Each bad row is reported with its line and skipped; with
   * dryRun nothing is saved and the answer is the preview.
   */
  async importCsv(ctx: TenantCtx, file: UploadedFile, options: { dryRun: boolean }) {
    const { parse } = await loadCsvParse();
    let table: string[][];
    try {
      table = parse(file.buffer.toString('utf8'), {
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
      }) as string[][];
    } catch (err) {
      throw unprocessable(`The file is not valid CSV: ${(err as Error).message}`, [{ path: 'file', message: 'Not valid CSV' }]);
    }
    if (table.length === 0) throw unprocessable('The file is empty', [{ path: 'file', message: 'Empty file' }]);
    const header = table[0].map((h) => h.trim());
    const lower = header.map((h) => h.toLowerCase());
    if (!lower.includes('name') && !lower.includes('phone') && !lower.includes('email')) {
      throw unprocessable('The first line must name the columns: name, phone, email, tags, then custom attributes', [
        { path: 'file', message: 'No name, phone or email column' },
      ]);
    }
    if (table.length - 1 > MAX_IMPORT_ROWS) {
      throw unprocessable(`At most ${MAX_IMPORT_ROWS} rows per file`, [{ path: 'file', message: 'Too many rows' }]);
    }
    const region = await tenantRegion(ctx);
    const existing = await scoped(ctx, ContactEntity).find();
    const byPhone = new Map(existing.filter((c) => c.phone).map((c) => [c.phone!, c]));
    const byEmail = new Map(existing.filter((c) => c.email).map((c) => [c.email!.toLowerCase(), c]));
    const seen = new Map<string, number>();
    const rows: ImportRow[] = [];
    table.slice(1).forEach((cells, i) => {
      const line = i + 2;
      const cell = (name: string) => {
        const at = lower.indexOf(name);
        return at >= 0 ? unformula(cells[at] ?? '').trim() : '';
      };
      const errors: { field: string; message: string }[] = [];
      const name = cell('name').slice(0, 200) || null;
      const rawPhone = cell('phone');
      const phone = rawPhone ? toE164(rawPhone, region) : null;
      if (rawPhone && !phone) errors.push({ field: 'phone', message: `"${rawPhone.slice(0, 40)}" is not a phone number` });
      const email = cell('email').toLowerCase() || null;
      if (email && !EMAIL.test(email)) errors.push({ field: 'email', message: `"${email.slice(0, 80)}" is not an email address` });
      const tags = normalizeTags(cell('tags').split(/[;,]/));
      const attributes: Record<string, string> = {};
      header.forEach((h, at) => {
        if (!h || RESERVED.has(lower[at])) return;
        const value = unformula(cells[at] ?? '').trim();
        if (value) attributes[h.slice(0, 100)] = value.slice(0, 1000);
      });
      if (!name && !rawPhone && !email) errors.push({ field: 'row', message: 'A contact needs a name, a phone or an email' });
      for (const key of [phone, email].filter(Boolean) as string[]) {
        if (seen.has(key)) errors.push({ field: key === phone ? 'phone' : 'email', message: `Same as line ${seen.get(key)}` });
      }
      if (!errors.length) for (const key of [phone, email].filter(Boolean) as string[]) seen.set(key, line);
      const match = (phone && byPhone.get(phone)) || (email && byEmail.get(email)) || null;
      rows.push({
        line,
        action: errors.length ? 'error' : match ? 'update' : 'create',
        contactId: match?.id ?? null,
        name,
        phone,
        email,
        tags,
        attributes,
        errors,
      });
    });
    const good = rows.filter((r) => r.action !== 'error');
    const summary = {
      dryRun: options.dryRun,
      total: rows.length,
      created: good.filter((r) => r.action === 'create').length,
      updated: good.filter((r) => r.action === 'update').length,
      failed: rows.length - good.length,
      rows,
    };
    if (options.dryRun || good.length === 0) return summary;
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const contacts = scoped(ctx, ContactEntity, m);
      for (const r of good) {
        if (r.action === 'update' && r.contactId) {
          const current = existing.find((c) => c.id === r.contactId)!;
          const patch: Partial<Contact> = {
            attributes: { ...current.attributes, ...r.attributes },
            tags: normalizeTags([...(current.tags ?? []), ...r.tags]),
            updatedAt: now,
          };
          if (r.name) patch.name = r.name;
          if (r.phone) patch.phone = r.phone;
          if (r.email) patch.email = r.email;
          await contacts.update(r.contactId, patch);
          await emitEvent(
            m,
            { tenantId: ctx.tenantId, type: 'contact.updated', payload: { contactId: r.contactId, fields: Object.keys(patch) } },
            now,
          );
        } else {
          const row = await contacts.insert({
            name: r.name,
            phone: r.phone,
            email: r.email,
            attributes: r.attributes,
            tags: r.tags,
            lastSeenAt: null,
            createdAt: now,
            updatedAt: now,
          });
          r.contactId = row.id;
          await emitEvent(m, { tenantId: ctx.tenantId, type: 'contact.created', payload: { contactId: row.id } }, now);
        }
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'contact.imported',
        targetType: 'contact',
        details: { file: file.originalname ?? null, created: summary.created, updated: summary.updated, failed: summary.failed },
      });
    });
    return summary;
  },

  /** Groups of contacts that share a phone number or an email address: candidates to merge. */
  async duplicates(ctx: TenantCtx) {
    const all = await scoped(ctx, ContactEntity).find();
    const groups = new Map<string, Contact[]>();
    for (const c of all) {
      for (const key of [c.phone ? `phone:${c.phone}` : null, c.email ? `email:${c.email.toLowerCase()}` : null]) {
        if (!key) continue;
        groups.set(key, [...(groups.get(key) ?? []), c]);
      }
    }
    const result: { reason: 'phone' | 'email'; value: string; contacts: ReturnType<typeof contactView>[] }[] = [];
    const covered = new Set<string>();
    for (const [key, list] of groups) {
      if (list.length < 2) continue;
      const ids = list
        .map((c) => c.id)
        .sort()
        .join(',');
      if (covered.has(ids)) continue;
      covered.add(ids);
      const [reason, ...value] = key.split(':');
      result.push({ reason: reason as 'phone' | 'email', value: value.join(':'), contacts: await withIdentities(ctx, list) });
    }
    return { data: result.slice(0, 200) };
  },
};

export interface ContactInput {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  attributes?: Record<string, string>;
  tags?: string[];
}

interface ImportRow {
  line: number;
  action: 'create' | 'update' | 'error';
  contactId: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  tags: string[];
  attributes: Record<string, string>;
  errors: { field: string; message: string }[];
}

export const MAX_IMPORT_ROWS = 5000;
const MAX_EXPORT_ROWS = 50_000;
const CSV_COLUMNS = ['name', 'phone', 'email', 'tags'] as const;
const RESERVED = new Set<string>(CSV_COLUMNS);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const loadCsvParse = lazy(() => import('csv-parse/sync'));
const loadCsvStringify = lazy(() => import('csv-stringify/sync'));

/** A cell a spreadsheet would run as a formula starts with an apostrophe (which the import removes). */
function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^\+[0-9]/.test(value) ? `'${value}` : value;
}
function unformula(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, '-').slice(0, 50);
}
export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map(normalizeTag).filter(Boolean))].slice(0, 50);
}

/** The region numbers typed without a country code are read in: the organization's. */
async function tenantRegion(ctx: TenantCtx) {
  return regionOf((await tenantTimezone(ctx.db, ctx.tenantId)) ?? undefined);
}

function normalizePhoneField(input: string, region: ReturnType<typeof regionOf>): string {
  const phone = toE164(input, region);
  if (!phone)
    throw badRequest('The phone number is not valid', [
      { path: 'phone', message: 'Must be a phone number, e.g. 0812 3456 7890 or +62 812 3456 7890' },
    ]);
  return phone;
}

/** Another contact with this phone or email: 409 naming the field and the contact (merge them instead). */
async function refuseDuplicate(ctx: TenantCtx, keys: { phone: string | null; email: string | null }, exceptId?: string) {
  for (const field of ['phone', 'email'] as const) {
    const value = keys[field];
    if (!value) continue;
    const other = await scoped(ctx, ContactEntity).findOne({ [field]: value });
    if (other && other.id !== exceptId) {
      throw conflict(`Another contact (${other.name ?? other.id}) has this ${field}; merge them instead`, [
        { path: field, message: `Already used by contact ${other.id}` },
      ]);
    }
  }
}
