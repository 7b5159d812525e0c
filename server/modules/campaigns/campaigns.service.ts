// Broadcast campaigns: a draft (name, WhatsApp number, approved template and its values), its
// recipients (contacts by id or filter, or a CSV), then send now or schedule it on the organization's
// clock; per-recipient statuses (queued, sent, delivered, read, replied, failed with Meta's code);
// cancel stops what has not left. Replies open a normal conversation attributed to the campaign, and
// an opt-out keyword (STOP, BERHENTI…) opts the contact out of later campaigns.
import { In, IsNull, MoreThan, Not, type EntityManager } from 'typeorm';
import { readThrough } from '../../core/entity-cache.js';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { badRequest, conflict, unprocessable } from '../../core/http/errors.js';
import { emitEvent, type EventHandler } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { formatLocal, isValidTimeZone, localToUtc } from '../../core/time.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { IntegrationAccountEntity } from '../integrations/integration.entity.js';
import { accountCredentials, integrationOf } from '../integrations/integrations.service.js';
import { ContactIdentityEntity } from '../contacts/contact.entity.js';
import { setContactOptOut } from '../contacts/contacts.service.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { canSendText, queueSystemMessage } from '../messages/system-messages.service.js';
import { WaTemplateEntity, type WaTemplate } from '../wa-templates/wa-template.entity.js';
import { assertSendable, checkValues } from '../wa-templates/wa-templates.service.js';
import { CampaignEntity, CampaignRecipientEntity, type Campaign, type CampaignRecipient, type RecipientStatus } from './campaign.entity.js';
import { addRecipients, type RecipientSources } from './campaign-recipients.js';
import { campaignJobs as senderJobs, enqueueSend, type statusCounts } from './campaign-sender.js';
import { regionForTimezone } from './phone.js';

export { applyRecipientStatus } from './campaign-sender.js';

/** Replies that opt a customer out of broadcasts unless the WhatsApp settings name others (`settings.optOutKeywords`). */
export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'BERHENTI', 'UNSUBSCRIBE'];
/** A reply this long after a campaign message is still attributed to it. */
const REPLY_ATTRIBUTION_MS = 7 * 86_400_000;
const OPT_OUT_CONFIRMATION =
  'Anda tidak akan menerima pesan siaran dari kami lagi. Balas START untuk berlangganan kembali.\n' +
  'You will no longer receive broadcast messages from us. Reply START to subscribe again.';

type Stats = Awaited<ReturnType<typeof statusCounts>>;

export function campaignView(c: Campaign, stats: Stats, template: Pick<WaTemplate, 'id' | 'name' | 'language' | 'status'> | null) {
  const reached = {
    sent: stats.sent + stats.delivered + stats.read + stats.replied,
    delivered: stats.delivered + stats.read + stats.replied,
    read: stats.read + stats.replied,
    replied: stats.replied,
  };
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    accountId: c.accountId,
    templateId: c.templateId,
    template: template ? { id: template.id, name: template.name, language: template.language, status: template.status } : null,
    variables: c.variables,
    ratePerSecond: c.ratePerSecond,
    defaultCountry: c.defaultCountry,
    scheduledAt: c.scheduledAt,
    scheduledLocal: c.scheduledLocal,
    timezone: c.timezone,
    stats,
    reached,
    skipped: { duplicates: c.skippedDuplicates, optedOut: c.skippedOptedOut, invalid: c.skippedInvalid },
    failureReason: c.failureReason,
    startedAt: c.startedAt,
    completedAt: c.completedAt,
    cancelledAt: c.cancelledAt,
    createdById: c.createdById,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function recipientView(r: CampaignRecipient) {
  return {
    id: r.id,
    contactId: r.contactId,
    phone: r.phone,
    name: r.name,
    status: r.status,
    attempts: r.attempts,
    externalId: r.externalId,
    error: r.errorCode !== null || r.errorReason ? { code: r.errorCode, reason: r.errorReason } : null,
    sentAt: r.sentAt,
    deliveredAt: r.deliveredAt,
    readAt: r.readAt,
    repliedAt: r.repliedAt,
    conversationId: r.conversationId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

async function views(ctx: TenantCtx, rows: Campaign[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const raw: { campaignId: string; status: RecipientStatus; n: number | string }[] = await ctx.db
    .getRepository(CampaignRecipientEntity)
    .createQueryBuilder('r')
    .select('r.campaignId', 'campaignId')
    .addSelect('r.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where('r.campaignId IN (:...ids)', { ids })
    .groupBy('r.campaignId')
    .addGroupBy('r.status')
    .getRawMany();
  const templateIds = [...new Set(rows.map((r) => r.templateId).filter((x): x is string => Boolean(x)))];
  const templates = templateIds.length ? await scoped(ctx, WaTemplateEntity).find({ id: In(templateIds) }) : [];
  return rows.map((c) => {
    const stats: Stats = { queued: 0, sending: 0, sent: 0, delivered: 0, read: 0, replied: 0, failed: 0, cancelled: 0, total: 0 };
    for (const r of raw.filter((x) => x.campaignId === c.id)) {
      stats[r.status] = Number(r.n);
      stats.total += Number(r.n);
    }
    return campaignView(c, stats, templates.find((t) => t.id === c.templateId) ?? null);
  });
}
const oneView = async (ctx: TenantCtx, c: Campaign) => (await views(ctx, [c]))[0];

function requireDraft(c: Campaign, what: string) {
  if (c.status !== 'draft')
    throw conflict(`Only a draft campaign can be ${what}; this one is ${c.status}`, [
      { path: 'status', message: `Campaign is ${c.status}` },
    ]);
}

async function checkTemplate(ctx: TenantCtx, templateId: string, accountId: string | null | undefined) {
  const template = await scoped(ctx, WaTemplateEntity).findOne({ id: templateId });
  if (!template) throw unprocessable('The template does not exist', [{ path: 'templateId', message: 'No such template' }]);
  let account = accountId ?? template.accountId;
  const row = await scoped(ctx, IntegrationAccountEntity).findOne({ id: account });
  if (row?.channel !== 'whatsapp')
    throw unprocessable('The WhatsApp account does not exist', [{ path: 'accountId', message: 'No such WhatsApp account' }]);
  if (accountCredentials(ctx, row).config.wabaId !== template.wabaId)
    throw unprocessable("The template belongs to another WhatsApp Business Account than this number's", [
      { path: 'accountId', message: 'Different WABA' },
    ]);
  account = row.id;
  return { template, accountId: account };
}

export interface CampaignInput {
  name?: string;
  templateId?: string | null;
  accountId?: string | null;
  variables?: Record<string, string>;
  ratePerSecond?: number;
  defaultCountry?: string;
}

async function validated(ctx: TenantCtx, current: Partial<Campaign>, input: CampaignInput): Promise<Partial<Campaign>> {
  const patch: Partial<Campaign> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.ratePerSecond !== undefined) patch.ratePerSecond = input.ratePerSecond;
  if (input.defaultCountry !== undefined) patch.defaultCountry = input.defaultCountry.toUpperCase();
  if (input.variables !== undefined) patch.variables = input.variables;
  const templateId = input.templateId !== undefined ? input.templateId : current.templateId;
  if (input.templateId !== undefined) patch.templateId = input.templateId;
  if (templateId) {
    const { template, accountId } = await checkTemplate(
      ctx,
      templateId,
      input.accountId !== undefined ? input.accountId : current.accountId,
    );
    patch.accountId = accountId;
    const variables = patch.variables ?? current.variables ?? {};
    // Values given (or a new template) must match the template's placeholders exactly.
    if (input.variables !== undefined || input.templateId !== undefined) {
      const errors = checkValues(template.components, variables);
      if (errors.length && (input.variables !== undefined || Object.keys(variables).length > 0))
        throw badRequest('The variables do not match the template placeholders', errors);
    }
  } else if (input.accountId) {
    const row = await scoped(ctx, IntegrationAccountEntity).findOne({ id: input.accountId });
    if (row?.channel !== 'whatsapp')
      throw unprocessable('The WhatsApp account does not exist', [{ path: 'accountId', message: 'No such WhatsApp account' }]);
    patch.accountId = row.id;
  }
  return patch;
}

export const campaignsService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; status?: Campaign['status'] }) {
    const page = await scoped(ctx, CampaignEntity).page({ where: q.status ? { status: q.status } : {}, limit: q.limit, cursor: q.cursor });
    return { data: await views(ctx, page.data), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string) {
    return oneView(ctx, await scoped(ctx, CampaignEntity).get(id, 'Campaign'));
  },

  async create(ctx: TenantCtx, input: CampaignInput & { name: string }) {
    const tenant = await ctx.db.getRepository(TenantEntity).findOneByOrFail({ id: ctx.tenantId });
    const patch = await validated(ctx, {}, input);
    const now = ctx.now();
    const campaign: Campaign = {
      id: newId(),
      tenantId: ctx.tenantId,
      name: input.name,
      accountId: null,
      templateId: null,
      variables: {},
      status: 'draft',
      ratePerSecond: ctx.config.CAMPAIGN_DEFAULT_RATE,
      defaultCountry: regionForTimezone(tenant.timezone),
      scheduledAt: null,
      scheduledLocal: null,
      timezone: null,
      skippedDuplicates: 0,
      skippedOptedOut: 0,
      skippedInvalid: 0,
      failureReason: null,
      startedAt: null,
      completedAt: null,
      cancelledAt: null,
      createdById: ctx.principal.userId,
      createdAt: now,
      updatedAt: now,
      ...patch,
    };
    await ctx.transaction(async (m) => {
      await m.getRepository(CampaignEntity).insert(campaign as never);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'campaign.created',
        targetType: 'campaign',
        targetId: campaign.id,
        details: { name: campaign.name },
      });
      await emitEvent(
        m,
        {
          tenantId: ctx.tenantId,
          type: 'campaign.updated',
          payload: { campaignId: campaign.id, name: campaign.name, status: campaign.status },
        },
        now,
      );
    });
    return oneView(ctx, campaign);
  },

  async update(ctx: TenantCtx, id: string, input: CampaignInput) {
    const campaign = await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    requireDraft(campaign, 'changed');
    const patch = { ...(await validated(ctx, campaign, input)), updatedAt: ctx.now() };
    await ctx.transaction(async (m) => {
      await scoped(ctx, CampaignEntity, m).update(id, patch);
      await emitEvent(
        m,
        {
          tenantId: ctx.tenantId,
          type: 'campaign.updated',
          payload: { campaignId: id, name: patch.name ?? campaign.name, status: campaign.status },
        },
        ctx.now(),
      );
    });
    return oneView(ctx, { ...campaign, ...patch });
  },

  async remove(ctx: TenantCtx, id: string) {
    const campaign = await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    requireDraft(campaign, 'deleted');
    await ctx.transaction(async (m) => {
      await m.getRepository(CampaignRecipientEntity).delete({ tenantId: ctx.tenantId, campaignId: id });
      await scoped(ctx, CampaignEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'campaign.deleted',
        targetType: 'campaign',
        targetId: id,
        details: { name: campaign.name },
      });
    });
  },

  async recipients(ctx: TenantCtx, id: string, q: { limit: number; cursor?: string; status?: RecipientStatus }) {
    await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    const page = await scoped(ctx, CampaignRecipientEntity).page({
      where: { campaignId: id, ...(q.status ? { status: q.status } : {}) },
      limit: q.limit,
      cursor: q.cursor,
    });
    return { data: page.data.map(recipientView), nextCursor: page.nextCursor };
  },

  async addRecipients(ctx: TenantCtx, id: string, sources: RecipientSources & { defaultCountry?: string }) {
    const campaign = await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    requireDraft(campaign, 'given recipients');
    if (!sources.contactIds?.length && !sources.filter && sources.csv === undefined)
      throw badRequest('Give contactIds, a filter or a csv', [{ path: 'contactIds', message: 'No recipients given' }]);
    const region = sources.defaultCountry?.toUpperCase() ?? campaign.defaultCountry;
    return ctx.transaction(async (m) => {
      const result = await addRecipients(ctx, m, { ...campaign, defaultCountry: region }, sources);
      await m
        .getRepository(CampaignEntity)
        .createQueryBuilder()
        .update()
        .set({
          skippedDuplicates: () => `skippedDuplicates + ${result.skipped.duplicates}`,
          skippedOptedOut: () => `skippedOptedOut + ${result.skipped.optedOut}`,
          skippedInvalid: () => `skippedInvalid + ${result.skipped.invalid}`,
          updatedAt: ctx.now(),
        } as never)
        .where('id = :id', { id })
        .execute();
      await emitEvent(
        m,
        { tenantId: ctx.tenantId, type: 'campaign.updated', payload: { campaignId: id, name: campaign.name, status: campaign.status } },
        ctx.now(),
      );
      return result;
    });
  },

  async clearRecipients(ctx: TenantCtx, id: string) {
    const campaign = await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    requireDraft(campaign, 'cleared');
    await ctx.transaction(async (m) => {
      await m.getRepository(CampaignRecipientEntity).delete({ tenantId: ctx.tenantId, campaignId: id });
      await scoped(ctx, CampaignEntity, m).update(id, {
        skippedDuplicates: 0,
        skippedOptedOut: 0,
        skippedInvalid: 0,
        updatedAt: ctx.now(),
      });
    });
  },

  /** Sends now, or at `scheduledAt` (an instant) / `scheduledLocal` (the organization's wall clock). A scheduled campaign may be rescheduled or sent now. */
  async send(ctx: TenantCtx, id: string, input: { scheduledAt?: string; scheduledLocal?: string }) {
    const campaign = await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    if (campaign.status === 'cancelled')
      throw conflict('This campaign was cancelled; create a new one to send again', [{ path: 'status', message: 'Campaign is cancelled' }]);
    if (campaign.status !== 'draft' && campaign.status !== 'scheduled')
      throw conflict(`This campaign is ${campaign.status}; only a draft or scheduled campaign can be sent`, [
        { path: 'status', message: `Campaign is ${campaign.status}` },
      ]);
    if (!campaign.templateId) throw unprocessable('Choose an approved template first', [{ path: 'templateId', message: 'Required' }]);
    const template = await scoped(ctx, WaTemplateEntity).findOne({ id: campaign.templateId });
    if (!template) throw unprocessable('The template was deleted', [{ path: 'templateId', message: 'No such template' }]);
    assertSendable(template);
    const errors = checkValues(template.components, campaign.variables);
    if (errors.length) throw unprocessable('The variables do not match the template placeholders', errors);
    const account = campaign.accountId ? await scoped(ctx, IntegrationAccountEntity).findOne({ id: campaign.accountId }) : null;
    if (account?.status !== 'active')
      throw unprocessable('The WhatsApp account is not connected', [{ path: 'accountId', message: 'Not connected' }]);
    const queued = await scoped(ctx, CampaignRecipientEntity).count({ campaignId: id, status: 'queued' });
    if (queued === 0)
      throw unprocessable('The campaign has no recipients; add some first', [{ path: 'recipients', message: 'Empty recipient list' }]);
    const now = ctx.now();
    let patch: Partial<Campaign>;
    if (input.scheduledAt !== undefined || input.scheduledLocal !== undefined) {
      const tenant = await ctx.db.getRepository(TenantEntity).findOneByOrFail({ id: ctx.tenantId });
      const timezone = isValidTimeZone(tenant.timezone) ? tenant.timezone : 'Asia/Jakarta';
      const field = input.scheduledAt !== undefined ? 'scheduledAt' : 'scheduledLocal';
      const at = input.scheduledAt !== undefined ? new Date(input.scheduledAt) : localToUtc(input.scheduledLocal ?? '', timezone);
      if (!at || Number.isNaN(at.getTime()))
        throw badRequest('The time is not valid', [{ path: field, message: 'Not a valid date and time, e.g. 2026-12-24T09:00' }]);
      if (at.getTime() <= now.getTime())
        throw unprocessable(`The time must be in the future (it is now ${formatLocal(now, timezone)} in ${timezone})`, [
          { path: field, message: 'Must be in the future' },
        ]);
      patch = { status: 'scheduled', scheduledAt: at, scheduledLocal: formatLocal(at, timezone).slice(0, 16), timezone, updatedAt: now };
    } else patch = { status: 'sending', startedAt: now, scheduledAt: null, scheduledLocal: null, updatedAt: now };
    await ctx.transaction(async (m) => {
      await scoped(ctx, CampaignEntity, m).update(id, patch);
      if (patch.status === 'scheduled') await enqueueSend(m, campaign, now, undefined, patch.scheduledAt ?? undefined);
      else await enqueueSend(m, campaign, now);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: patch.status === 'scheduled' ? 'campaign.scheduled' : 'campaign.sent',
        targetType: 'campaign',
        targetId: id,
        details: { name: campaign.name, recipients: queued, scheduledAt: patch.scheduledAt ?? null },
      });
      await emitEvent(
        m,
        { tenantId: ctx.tenantId, type: 'campaign.updated', payload: { campaignId: id, name: campaign.name, status: patch.status } },
        now,
      );
    });
    return oneView(ctx, { ...campaign, ...patch });
  },

  /** Stops what has not left: queued recipients are cancelled; sends under way finish. */
  async cancel(ctx: TenantCtx, id: string) {
    const campaign = await scoped(ctx, CampaignEntity).get(id, 'Campaign');
    if (!['draft', 'scheduled', 'sending'].includes(campaign.status))
      throw conflict(`This campaign is already ${campaign.status}`, [{ path: 'status', message: `Campaign is ${campaign.status}` }]);
    const now = ctx.now();
    const patch: Partial<Campaign> = { status: 'cancelled', cancelledAt: now, updatedAt: now };
    await ctx.transaction(async (m) => {
      await scoped(ctx, CampaignEntity, m).update(id, patch);
      await m
        .getRepository(CampaignRecipientEntity)
        .update({ tenantId: ctx.tenantId, campaignId: id, status: 'queued' }, { status: 'cancelled', updatedAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'campaign.cancelled',
        targetType: 'campaign',
        targetId: id,
        details: { name: campaign.name },
      });
      await emitEvent(
        m,
        { tenantId: ctx.tenantId, type: 'campaign.updated', payload: { campaignId: id, name: campaign.name, status: 'cancelled' } },
        now,
      );
    });
    return oneView(ctx, { ...campaign, ...patch });
  },
};

async function optOutKeywords(services: Services, tenantId: string): Promise<string[]> {
  const row = await integrationOf(services.db, tenantId, 'whatsapp');
  const configured = row?.settings?.optOutKeywords;
  const list = Array.isArray(configured) ? configured.filter((k): k is string => typeof k === 'string' && k.trim() !== '') : [];
  return (list.length ? list : DEFAULT_OPT_OUT_KEYWORDS).map((k) => k.trim().toUpperCase());
}

/** The customer's WhatsApp id behind a conversation. */
async function waIdOf(m: EntityManager, tenantId: string, contactId: string): Promise<string | null> {
  const identity = await m
    .getRepository(ContactIdentityEntity)
    .findOne({ where: { tenantId, contactId, channel: 'whatsapp' }, select: { externalId: true } });
  return identity?.externalId.replace(/^\+/, '') ?? null;
}

/**
 * Whether an inbound message can change anything here (an opt-out or START keyword, or a reply to a
 * recent campaign message), read outside a transaction: most messages change nothing, and a
 * transaction per message would queue behind (and hold up) every other writer.
 */
async function mayConcernCampaigns(services: Services, tenantId: string, conversationId: string, text: string | null | undefined) {
  const word = (text ?? '').trim().toUpperCase();
  if (word === 'START' || (word && (await optOutKeywords(services, tenantId)).includes(word))) return true;
  if (!(await mayHaveReplies(services, tenantId))) return false;
  const m = services.db.manager;
  const conversation = await m
    .getRepository(ConversationEntity)
    .findOne({ where: { id: conversationId, tenantId }, select: { id: true, contactId: true } });
  return conversation !== null && (await attributableRecipient(m, tenantId, conversation.contactId, services.now())) !== null;
}

const replies = readThrough<boolean>(['Campaign']);

/**
 * Whether a reply could be attributed to any of the organization's campaigns: one started that has
 * not ended, or ended within the attribution window. Most organizations, most of the time, have none,
 * and an inbound message then skips the three lookups of attributableRecipient. Cached until a
 * campaign is written (and for at most a few seconds).
 */
function mayHaveReplies(services: Services, tenantId: string): Promise<boolean> {
  return replies(services.db, tenantId, () => {
    const cutoff = new Date(services.now().getTime() - REPLY_ATTRIBUTION_MS);
    return services.db.getRepository(CampaignEntity).exists({
      where: [
        { tenantId, startedAt: Not(IsNull()), completedAt: IsNull(), cancelledAt: IsNull() },
        { tenantId, startedAt: Not(IsNull()), completedAt: MoreThan(cutoff) },
        { tenantId, startedAt: Not(IsNull()), cancelledAt: MoreThan(cutoff) },
      ],
    });
  });
}

/** The campaign message a reply from this contact now is attributed to: the latest one sent to it, if recent enough. */
async function attributableRecipient(m: EntityManager, tenantId: string, contactId: string, now: Date) {
  const waId = await waIdOf(m, tenantId, contactId);
  if (!waId) return null;
  const recent = await m.getRepository(CampaignRecipientEntity).findOne({
    where: { tenantId, waId, status: In(['sent', 'delivered', 'read']) },
    order: { sentAt: 'DESC' },
  });
  return recent?.sentAt && now.getTime() - recent.sentAt.getTime() <= REPLY_ATTRIBUTION_MS ? recent : null;
}

/** An inbound WhatsApp message: a reply to a recent campaign message is attributed to it; an opt-out keyword opts the contact out. */
async function onInbound(
  services: Services,
  tenantId: string,
  payload: {
    message?: { direction?: string; senderType?: string; text?: string | null };
    conversation?: { id?: string; channel?: string };
  },
) {
  const message = payload.message;
  const conversationId = payload.conversation?.id;
  if (message?.direction !== 'inbound' || payload.conversation?.channel !== 'whatsapp' || !conversationId) return;
  if (!(await mayConcernCampaigns(services, tenantId, conversationId, message.text))) return;
  await services.transaction(async (m) => {
    const conversation = await m.getRepository(ConversationEntity).findOne({ where: { id: conversationId, tenantId } });
    if (!conversation) return;
    const now = services.now();
    const text = (message.text ?? '').trim().toUpperCase();
    if (text && (await optOutKeywords(services, tenantId)).includes(text)) {
      const changed = await setContactOptOut(
        m,
        { tenantId, contactId: conversation.contactId, optedOut: true, source: `keyword:${text}` },
        now,
      );
      if (changed && canSendText(conversation, now)) await queueSystemMessage(services, m, conversation, OPT_OUT_CONFIRMATION);
    } else if (text === 'START') {
      await setContactOptOut(m, { tenantId, contactId: conversation.contactId, optedOut: false, source: null }, now);
    }
    const recent = await attributableRecipient(m, tenantId, conversation.contactId, now);
    if (!recent) return;
    await m
      .getRepository(CampaignRecipientEntity)
      .update({ id: recent.id }, { status: 'replied', repliedAt: now, conversationId, updatedAt: now });
    const campaign = await m.getRepository(CampaignEntity).findOne({ where: { id: recent.campaignId } });
    if (!campaign) return;
    // The conversation carries the campaign's name as a tag, so the inbox shows where it came from.
    const tag = `campaign:${campaign.name}`.slice(0, 50);
    if (!conversation.tags.includes(tag)) {
      const tags = [...conversation.tags, tag];
      await m.getRepository(ConversationEntity).update({ id: conversation.id }, { tags, updatedAt: now });
      await emitEvent(
        m,
        { tenantId, type: 'conversation.updated', payload: { conversation: await conversationView(services, { ...conversation, tags }) } },
        now,
      );
    }
    await emitEvent(
      m,
      { tenantId, type: 'campaign.replied', payload: { campaignId: campaign.id, recipientId: recent.id, conversationId } },
      now,
    );
  });
}

export function campaignEvents(services: Services): Record<string, EventHandler> {
  return {
    'message.created': async (event) => {
      if (event.tenantId) await onInbound(services, event.tenantId, event.payload as never);
    },
  };
}

export function campaignJobs(services: Services): Record<string, JobHandler> {
  return senderJobs(services);
}
