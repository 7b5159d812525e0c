// Who a campaign goes to: contacts chosen by id or by a filter (conversation tags, attributes, a
// built-in segment), or the rows of a CSV. Numbers become E.164; duplicates, opted-out contacts and
// invalid numbers are skipped and counted; CSV rows that cannot be used are reported by line.
import { In, IsNull, Not, type EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { newId } from '../../core/ids.js';
import { lazy } from '../../core/lazy.js';
import { ContactEntity, ContactIdentityEntity, type Contact } from '../contacts/contact.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { CampaignRecipientEntity, type Campaign, type CampaignRecipient } from './campaign.entity.js';
import { toE164 } from './phone.js';
import type { Segment } from './campaigns.schemas.js';

const loadCsvParse = lazy(() => import('csv-parse/sync'));

export const MAX_RECIPIENTS_PER_CALL = 50_000;
const DAY = 86_400_000;

export interface RecipientSources {
  contactIds?: string[];
  filter?: { tags?: string[]; attributes?: Record<string, string>; segment?: Segment; search?: string };
  csv?: string;
}

export interface AddResult {
  added: number;
  skipped: { duplicates: number; optedOut: number; invalid: number };
  errors: { line: number; value: string | null; message: string }[];
  total: number;
}

interface Candidate {
  raw: string | null;
  contactId: string | null;
  name: string | null;
  fields: Record<string, string>;
  line?: number;
}

const PHONE_COLUMNS = ['phone', 'phone_number', 'phonenumber', 'mobile', 'whatsapp', 'wa', 'nomor', 'no_hp', 'nohp', 'hp', 'telepon'];
const NAME_COLUMNS = ['name', 'nama', 'full_name'];

async function csvCandidates(csv: string): Promise<{ candidates: Candidate[]; errors: AddResult['errors'] }> {
  const { parse } = await loadCsvParse();
  let rows: Record<string, string>[];
  try {
    rows = parse(csv, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase().replace(/\s+/g, '_')),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    });
  } catch (err) {
    throw badRequest(`The CSV could not be read: ${(err as Error).message}`, [{ path: 'csv', message: 'Not valid CSV' }]);
  }
  if (rows.length === 0) return { candidates: [], errors: [] };
  const columns = Object.keys(rows[0]);
  const phoneColumn = PHONE_COLUMNS.find((c) => columns.includes(c));
  if (!phoneColumn)
    throw badRequest('The CSV needs a phone column (phone, whatsapp, nomor or no_hp) in its first line', [
      { path: 'csv', message: 'No phone column' },
    ]);
  const nameColumn = NAME_COLUMNS.find((c) => columns.includes(c));
  const candidates: Candidate[] = [];
  const errors: AddResult['errors'] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    const raw = row[phoneColumn]?.trim() ?? '';
    if (!raw) {
      errors.push({ line, value: null, message: 'No phone number' });
      return;
    }
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) if (k !== phoneColumn && v !== undefined && v !== '') fields[k] = String(v).slice(0, 500);
    const name = nameColumn ? row[nameColumn]?.trim() || null : null;
    if (name) fields.name = name;
    candidates.push({ raw, contactId: null, name, fields, line });
  });
  return { candidates, errors };
}

async function contactCandidates(
  ctx: TenantCtx,
  m: EntityManager,
  sources: RecipientSources,
  now: Date,
): Promise<{ candidates: Candidate[]; missing: string[] }> {
  const contacts = m.getRepository(ContactEntity);
  const rows: Contact[] = [];
  const missing: string[] = [];
  if (sources.contactIds?.length) {
    const ids = [...new Set(sources.contactIds)];
    for (let i = 0; i < ids.length; i += 500)
      rows.push(...(await contacts.find({ where: { tenantId: ctx.tenantId, id: In(ids.slice(i, i + 500)) } })));
    const found = new Set(rows.map((r) => r.id));
    missing.push(...ids.filter((id) => !found.has(id)));
  }
  if (sources.filter) {
    const f = sources.filter;
    let qb = contacts.createQueryBuilder('c').where('c.tenantId = :tenantId', { tenantId: ctx.tenantId });
    if (f.segment === 'active_30d') qb = qb.andWhere('c.lastSeenAt >= :since', { since: new Date(now.getTime() - 30 * DAY) });
    if (f.segment === 'inactive_90d')
      qb = qb.andWhere('(c.lastSeenAt IS NULL OR c.lastSeenAt < :before)', { before: new Date(now.getTime() - 90 * DAY) });
    if (f.segment === 'new_30d') qb = qb.andWhere('c.createdAt >= :since', { since: new Date(now.getTime() - 30 * DAY) });
    if (f.search) qb = qb.andWhere('(c.name LIKE :s OR c.phone LIKE :s OR c.email LIKE :s)', { s: `%${f.search}%` });
    if (f.tags?.length) {
      // Conversation tags are a JSON list: match each tag as a quoted element.
      const sub = m
        .getRepository(ConversationEntity)
        .createQueryBuilder('v')
        .select('v.contactId')
        .where('v.tenantId = :tenantId')
        .andWhere(`(${f.tags.map((_, i) => `v.tags LIKE :tag${i}`).join(' OR ')})`);
      qb = qb.andWhere(`c.id IN (${sub.getQuery()})`);
      f.tags.forEach((t, i) => qb.setParameter(`tag${i}`, `%${JSON.stringify(t)}%`));
    }
    let found = await qb.getMany();
    if (f.attributes && Object.keys(f.attributes).length) {
      const want = Object.entries(f.attributes);
      found = found.filter((c) => want.every(([k, v]) => (c.attributes?.[k] ?? '').toLowerCase() === v.toLowerCase()));
    }
    rows.push(...found);
  }
  if (rows.length === 0) return { candidates: [], missing };
  // A contact's WhatsApp id is the number WhatsApp knows them by; else their phone field.
  const wa = new Map<string, string>();
  const ids = [...new Set(rows.map((r) => r.id))];
  for (let i = 0; i < ids.length; i += 500) {
    const identities = await m.getRepository(ContactIdentityEntity).find({
      where: { tenantId: ctx.tenantId, channel: 'whatsapp', contactId: In(ids.slice(i, i + 500)) },
      select: { contactId: true, externalId: true },
    });
    for (const identity of identities) wa.set(identity.contactId, identity.externalId);
  }
  const candidates = rows.map((c) => {
    const waId = wa.get(c.id);
    return {
      raw: waId ? `+${waId.replace(/^\+/, '')}` : c.phone,
      contactId: c.id,
      name: c.name,
      fields: { ...(c.attributes ?? {}), ...(c.name ? { name: c.name, first_name: c.name.trim().split(/\s+/)[0] } : {}) },
    };
  });
  return { candidates, missing };
}

/** Numbers (E.164) of contacts who opted out, by their phone field and their WhatsApp id. */
async function optedOutNumbers(
  ctx: TenantCtx,
  m: EntityManager,
  region: string,
): Promise<{ numbers: Set<string>; contactIds: Set<string> }> {
  const out = await m
    .getRepository(ContactEntity)
    .find({ where: { tenantId: ctx.tenantId, optedOutAt: Not(IsNull()) }, select: { id: true, phone: true } });
  const numbers = new Set<string>();
  const contactIds = new Set(out.map((c) => c.id));
  for (const c of out) {
    const e164 = c.phone ? toE164(c.phone, region) : null;
    if (e164) numbers.add(e164);
  }
  for (let i = 0; i < out.length; i += 500) {
    const identities = await m
      .getRepository(ContactIdentityEntity)
      .find({ where: { tenantId: ctx.tenantId, channel: 'whatsapp', contactId: In(out.slice(i, i + 500).map((c) => c.id)) } });
    for (const identity of identities) numbers.add(`+${identity.externalId.replace(/^\+/, '')}`);
  }
  return { numbers, contactIds };
}

/**
 * Inserts many recipients with multi-row INSERTs whose values the driver prepares column by column
 * (dates, JSON), as the repository would: TypeORM's own insert spends most of its time on parameter
 * bookkeeping at this size (10,000 rows took seconds).
 */
async function bulkInsert(m: EntityManager, rows: CampaignRecipient[]): Promise<void> {
  if (rows.length === 0) return;
  const meta = m.connection.getMetadata(CampaignRecipientEntity);
  const driver = m.connection.driver;
  const postgres = m.connection.options.type === 'postgres';
  const columns = meta.columns;
  const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
  const chunk = Math.max(1, Math.floor(10_000 / columns.length));
  for (let i = 0; i < rows.length; i += chunk) {
    const params: unknown[] = [];
    const tuples = rows.slice(i, i + chunk).map((row) => {
      const marks = columns.map((c) => {
        params.push(driver.preparePersistentValue((row as unknown as Record<string, unknown>)[c.propertyName], c));
        return postgres ? `$${params.length}` : '?';
      });
      return `(${marks.join(', ')})`;
    });
    await m.query(`INSERT INTO ${driver.escape(meta.tableName)} (${names}) VALUES ${tuples.join(', ')}`, params);
  }
}

/** Adds recipients from every given source to a draft campaign, in the transaction `m`. */
export async function addRecipients(ctx: TenantCtx, m: EntityManager, campaign: Campaign, sources: RecipientSources): Promise<AddResult> {
  const now = ctx.now();
  const fromCsv = sources.csv !== undefined ? await csvCandidates(sources.csv) : { candidates: [], errors: [] };
  const fromContacts = await contactCandidates(ctx, m, sources, now);
  const errors = [...fromCsv.errors];
  for (const id of fromContacts.missing.slice(0, 100)) errors.push({ line: 0, value: id, message: 'No such contact' });
  const candidates = [...fromContacts.candidates, ...fromCsv.candidates];
  if (candidates.length > MAX_RECIPIENTS_PER_CALL)
    throw badRequest(`At most ${MAX_RECIPIENTS_PER_CALL} recipients can be added at once`, [
      { path: sources.csv ? 'csv' : 'contactIds', message: 'Too many' },
    ]);
  const region = campaign.defaultCountry;
  const existing = new Set(
    (await m.getRepository(CampaignRecipientEntity).find({ where: { campaignId: campaign.id }, select: { phone: true } })).map(
      (r) => r.phone,
    ),
  );
  const optedOut = await optedOutNumbers(ctx, m, region);
  const skipped = { duplicates: 0, optedOut: 0, invalid: fromContacts.missing.length };
  const rows: CampaignRecipient[] = [];
  for (const c of candidates) {
    const phone = c.raw ? toE164(c.raw, region) : null;
    if (!phone) {
      skipped.invalid++;
      if (c.line !== undefined) errors.push({ line: c.line, value: c.raw, message: `Not a valid phone number for region ${region}` });
      else if (errors.length < 1000) errors.push({ line: 0, value: c.contactId, message: 'The contact has no valid WhatsApp number' });
      continue;
    }
    if (existing.has(phone)) {
      skipped.duplicates++;
      continue;
    }
    if ((c.contactId && optedOut.contactIds.has(c.contactId)) || optedOut.numbers.has(phone)) {
      skipped.optedOut++;
      continue;
    }
    existing.add(phone);
    rows.push({
      id: newId(),
      tenantId: ctx.tenantId,
      campaignId: campaign.id,
      contactId: c.contactId,
      phone,
      waId: phone.slice(1),
      name: c.name?.slice(0, 200) ?? null,
      fields: { ...c.fields, phone },
      status: 'queued',
      attempts: 0,
      nextAttemptAt: null,
      sendingAt: null,
      externalId: null,
      errorCode: null,
      errorReason: null,
      sentAt: null,
      deliveredAt: null,
      readAt: null,
      repliedAt: null,
      confirmedAt: null,
      conversationId: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  await bulkInsert(m, rows);
  errors.sort((a, b) => a.line - b.line);
  return { added: rows.length, skipped, errors: errors.slice(0, 1000), total: existing.size };
}
