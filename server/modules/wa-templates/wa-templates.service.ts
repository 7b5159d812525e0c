// WhatsApp message templates: synced from Meta (paged), created here and submitted to Meta by a
// durable job (PENDING until Meta's webhook approves or rejects it), header media links, local
// delete; status, quality score and pause state kept current from Meta's webhooks. Also what other
// modules (campaigns, automation) use to send a template: its variables, the components of a send,
// and sendTemplate().
import { In, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { HttpError, badRequest, conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { recordActivity } from '../../core/audit.js';
import type { EventHandler } from '../../core/events/outbox.js';
import { ChannelSendError, type InboundTemplateStatus } from '../../channels/types.js';
import { IntegrationAccountEntity, type IntegrationAccount } from '../integrations/integration.entity.js';
import { accountCredentials } from '../integrations/integrations.service.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { ContactEntity, ContactIdentityEntity } from '../contacts/contact.entity.js';
import { MessageEntity, type Message } from '../messages/message.entity.js';
import { SEND_MAX_ATTEMPTS, messageView } from '../messages/messages.service.js';
import { visibleConversation } from '../divisions/visibility.service.js';
import { WaTemplateEntity, type TemplateComponent, type WaTemplate } from './wa-template.entity.js';
import {
  checkValues,
  componentsFromInput,
  mediaHeaderFormat,
  parameterFormatOf,
  renderBody,
  sendComponents,
  variablesOf,
  type TemplateInput,
} from './wa-template.format.js';

export { checkValues, mediaHeaderFormat, renderBody, sendComponents, variablesOf } from './wa-template.format.js';
export type { TemplateVariable } from './wa-template.format.js';

export function templateView(t: WaTemplate) {
  const find = (type: string) => t.components.find((c) => c.type?.toUpperCase() === type);
  const header = find('HEADER');
  return {
    id: t.id,
    accountId: t.accountId,
    wabaId: t.wabaId,
    externalId: t.externalId,
    name: t.name,
    language: t.language,
    category: t.category,
    parameterFormat: t.parameterFormat,
    status: t.status,
    statusReason: t.statusReason,
    qualityScore: t.qualityScore,
    paused: t.pause !== null,
    pause: t.pause,
    statusHistory: t.statusHistory,
    header: header ? { format: (header.format ?? 'TEXT').toUpperCase(), text: header.text ?? null } : null,
    body: find('BODY')?.text ?? '',
    footer: find('FOOTER')?.text ?? null,
    buttons: (find('BUTTONS')?.buttons ?? []).map((b) => ({
      type: b.type,
      text: b.text,
      url: b.url ?? null,
      phoneNumber: b.phone_number ?? null,
    })),
    components: t.components,
    variables: variablesOf(t.components),
    headerMediaUrl: t.headerMediaUrl,
    submission: t.submission,
    submissionError: t.submissionError,
    lastSyncedAt: t.lastSyncedAt,
    statusUpdatedAt: t.statusUpdatedAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
export type TemplateView = ReturnType<typeof templateView>;

/** The WhatsApp account to use: the given one (404 when not WhatsApp) or the tenant's default. */
async function whatsappAccount(ctx: TenantCtx, accountId?: string): Promise<IntegrationAccount> {
  const accounts = scoped(ctx, IntegrationAccountEntity);
  if (accountId) {
    const account = await accounts.get(accountId, 'WhatsApp account');
    if (account.channel !== 'whatsapp') throw notFound('WhatsApp account');
    if (account.status !== 'active')
      throw unprocessable('The WhatsApp account is disconnected', [{ path: 'accountId', message: 'Not connected' }]);
    return account;
  }
  const all = await accounts.find({ channel: 'whatsapp', status: 'active' });
  const account = all.find((a) => a.isDefault) ?? all[0];
  if (!account)
    throw unprocessable('Connect a WhatsApp account first (Integrations)', [
      { path: 'accountId', message: 'No WhatsApp account connected' },
    ]);
  return account;
}

function wabaOf(services: Services, account: IntegrationAccount): { wabaId: string; token: string } {
  const creds = accountCredentials(services, account);
  const wabaId = creds.config.wabaId;
  if (!wabaId)
    throw unprocessable('The WhatsApp account has no WhatsApp Business Account id', [{ path: 'accountId', message: 'Missing wabaId' }]);
  return { wabaId, token: creds.config.accessToken ?? '' };
}

function upstream(err: unknown): never {
  if (err instanceof ChannelSendError) throw new HttpError(502, err.reason, { code: err.code ?? null });
  throw err;
}

interface MetaTemplate {
  id?: string;
  name?: string;
  language?: string;
  status?: string;
  category?: string;
  parameter_format?: string;
  components?: TemplateComponent[];
  quality_score?: { score?: string };
  rejected_reason?: string;
}

const pushHistory = (t: Pick<WaTemplate, 'statusHistory'>, event: string, reason: string | null, at: Date) =>
  [{ event, reason, at }, ...(t.statusHistory ?? [])].slice(0, 20);

async function emitUpdated(m: EntityManager, t: WaTemplate, now: Date) {
  await emitEvent(m, { tenantId: t.tenantId, type: 'wa_template.updated', payload: { template: templateView(t) } }, now);
}

export const waTemplatesService = {
  async list(
    ctx: TenantCtx,
    q: { limit: number; cursor?: string; status?: string; language?: string; accountId?: string; search?: string },
  ) {
    const where: Record<string, unknown> = {};
    if (q.status) where.status = q.status.toUpperCase();
    if (q.language) where.language = q.language;
    if (q.accountId) where.accountId = q.accountId;
    const repo = scoped(ctx, WaTemplateEntity);
    if (q.search) {
      // Names are short and few per tenant: filter the page window in memory.
      const all = (await repo.find(where as never, { id: 'DESC' })).filter((t) => t.name.includes(q.search!.toLowerCase()));
      const start = q.cursor ? all.findIndex((t) => t.id === q.cursor) + 1 : 0;
      const data = all.slice(start, start + q.limit);
      return { data: data.map(templateView), nextCursor: start + q.limit < all.length ? data[data.length - 1].id : null };
    }
    const page = await repo.page({ where: where as never, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(templateView), nextCursor: page.nextCursor };
  },

  /**
   * The templates that can be sent now (approved, not paused, header media set), by name; for a
   * conversation, only those of its number's WhatsApp Business Account (none on other channels).
   */
  async sendable(ctx: TenantCtx, q: { conversationId?: string }) {
    let wabaId: string | null = null;
    if (q.conversationId) {
      const conversation = await visibleConversation(ctx, q.conversationId);
      if (conversation.channel !== 'whatsapp') return { data: [] };
      const account = await scoped(ctx, IntegrationAccountEntity).findOne({ id: conversation.accountId });
      wabaId = account ? (accountCredentials(ctx, account).config.wabaId ?? '') : '';
    }
    const rows = await scoped(ctx, WaTemplateEntity).find({ status: 'APPROVED' }, { name: 'ASC' });
    const data = rows.filter(
      (t) => !t.pause && (!mediaHeaderFormat(t.components) || t.headerMediaUrl) && (wabaId === null || t.wabaId === wabaId),
    );
    return { data: data.map(templateView) };
  },

  /** An agent sends a template into a conversation they can see, or to a contact's WhatsApp (see sendTemplate). */
  async send(
    ctx: TenantCtx,
    templateId: string,
    body: { conversationId?: string; contactId?: string; values: Record<string, string>; clientMessageId?: string },
  ): Promise<SendTemplateResult> {
    if (body.conversationId) await visibleConversation(ctx, body.conversationId);
    return sendTemplate(ctx, {
      tenantId: ctx.tenantId,
      templateId,
      values: body.values,
      conversationId: body.conversationId,
      contactId: body.conversationId ? undefined : body.contactId,
      clientMessageId: body.clientMessageId ?? null,
      senderType: 'agent',
      senderId: ctx.principal.userId,
    });
  },

  async get(ctx: TenantCtx, id: string) {
    return templateView(await scoped(ctx, WaTemplateEntity).get(id, 'Template'));
  },

  /** Stores the template as PENDING and enqueues its submission to Meta. */
  async create(
    ctx: TenantCtx,
    input: TemplateInput & { accountId?: string; name: string; language: string; category: string; headerMediaUrl?: string | null },
  ) {
    const account = await whatsappAccount(ctx, input.accountId);
    const { wabaId } = wabaOf(ctx, account);
    const { components, errors } = componentsFromInput(input);
    if (errors.length) throw badRequest('The template is not valid', errors);
    if (input.headerMediaUrl && !mediaHeaderFormat(components))
      throw badRequest('Only an image, video or document header takes a media link', [
        { path: 'headerMediaUrl', message: 'The header is not media' },
      ]);
    if (await scoped(ctx, WaTemplateEntity).findOne({ wabaId, name: input.name, language: input.language }))
      throw conflict(`A template "${input.name}" in ${input.language} already exists`, [
        { path: 'name', message: 'Already exists in this language' },
      ]);
    const now = ctx.now();
    const template: WaTemplate = {
      id: newId(),
      tenantId: ctx.tenantId,
      accountId: account.id,
      wabaId,
      externalId: null,
      name: input.name,
      language: input.language,
      category: input.category,
      parameterFormat: parameterFormatOf(input),
      components,
      status: 'PENDING',
      statusReason: null,
      qualityScore: null,
      pause: null,
      statusHistory: [],
      headerMediaUrl: input.headerMediaUrl ?? null,
      submission: 'queued',
      submissionError: null,
      createdById: ctx.principal.userId,
      lastSyncedAt: null,
      statusUpdatedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.transaction(async (m) => {
      await m.getRepository(WaTemplateEntity).insert(template as never);
      await enqueueJob(m, 'wa-templates.submit', { templateId: template.id }, now, {
        tenantId: ctx.tenantId,
        queueKey: `wa-templates:${wabaId}`,
        maxAttempts: 50,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'wa_template.created',
        targetType: 'wa_template',
        targetId: template.id,
        details: { name: template.name, language: template.language },
      });
      await emitUpdated(m, template, now);
    });
    return templateView(template);
  },

  /** Reads every template of the WABA(s) from Meta, page by page, and stores them. */
  async sync(ctx: TenantCtx, input: { accountId?: string }) {
    const accounts = input.accountId
      ? [await whatsappAccount(ctx, input.accountId)]
      : await scoped(ctx, IntegrationAccountEntity).find({ channel: 'whatsapp', status: 'active' });
    if (accounts.length === 0)
      throw unprocessable('Connect a WhatsApp account first (Integrations)', [
        { path: 'accountId', message: 'No WhatsApp account connected' },
      ]);
    const seenWabas = new Set<string>();
    let created = 0;
    let updated = 0;
    let total = 0;
    for (const account of accounts) {
      const { wabaId, token } = wabaOf(ctx, account);
      if (seenWabas.has(wabaId)) continue;
      seenWabas.add(wabaId);
      const remote: MetaTemplate[] = [];
      let after: string | undefined;
      for (let page = 0; page < 100; page++) {
        const answer = await ctx.adapters.whatsapp.graph
          .get<{ data?: MetaTemplate[]; paging?: { cursors?: { after?: string }; next?: string } }>(
            `/${encodeURIComponent(wabaId)}/message_templates`,
            token,
            {
              limit: 100,
              after,
              fields: 'id,name,language,status,category,parameter_format,components,quality_score,rejected_reason',
            },
          )
          .catch(upstream);
        remote.push(...(answer?.data ?? []));
        after = answer?.paging?.cursors?.after;
        if (!answer?.paging?.next || !after) break;
      }
      const now = ctx.now();
      await ctx.transaction(async (m) => {
        const repo = scoped(ctx, WaTemplateEntity, m);
        const existing = await repo.find({ wabaId });
        for (const r of remote) {
          if (!r.name || !r.language) continue;
          total++;
          const status = (r.status ?? 'PENDING').toUpperCase();
          const fields = {
            externalId: r.id ?? null,
            category: (r.category ?? 'UTILITY').toUpperCase(),
            parameterFormat: (r.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL') as WaTemplate['parameterFormat'],
            components: r.components ?? [],
            status,
            qualityScore: r.quality_score?.score ?? null,
            lastSyncedAt: now,
            updatedAt: now,
          };
          const known = existing.find((t) => (r.id && t.externalId === r.id) || (t.name === r.name && t.language === r.language));
          if (known) {
            const patch: Partial<WaTemplate> = { ...fields, submission: known.submission === 'synced' ? 'synced' : 'submitted' };
            if (known.status !== status) {
              patch.statusUpdatedAt = now;
              patch.statusHistory = pushHistory(
                known,
                status,
                r.rejected_reason && r.rejected_reason !== 'NONE' ? r.rejected_reason : null,
                now,
              );
              patch.statusReason =
                status === 'APPROVED' ? null : r.rejected_reason && r.rejected_reason !== 'NONE' ? r.rejected_reason : known.statusReason;
              if (status !== 'PAUSED') patch.pause = null;
            }
            await repo.update(known.id, patch);
            await emitUpdated(m, { ...known, ...patch }, now);
            updated++;
          } else {
            const row: WaTemplate = {
              id: newId(),
              tenantId: ctx.tenantId,
              accountId: account.id,
              wabaId,
              name: r.name,
              language: r.language,
              ...fields,
              statusReason: r.rejected_reason && r.rejected_reason !== 'NONE' ? r.rejected_reason : null,
              pause: status === 'PAUSED' ? { title: 'PAUSED' } : null,
              statusHistory: [],
              headerMediaUrl: null,
              submission: 'synced',
              submissionError: null,
              createdById: null,
              statusUpdatedAt: now,
              createdAt: now,
            };
            await m.getRepository(WaTemplateEntity).insert(row as never);
            await emitUpdated(m, row, now);
            created++;
          }
        }
      });
    }
    return { accounts: accounts.length, wabas: seenWabas.size, templates: total, created, updated, syncedAt: ctx.now() };
  },

  /** Deletes the local copy only; the template stays in Meta's WhatsApp Manager. */
  async remove(ctx: TenantCtx, id: string) {
    const template = await scoped(ctx, WaTemplateEntity).get(id, 'Template');
    await ctx.transaction(async (m) => {
      await scoped(ctx, WaTemplateEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'wa_template.deleted',
        targetType: 'wa_template',
        targetId: id,
        details: { name: template.name, language: template.language },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'wa_template.deleted', payload: { templateId: id } }, ctx.now());
    });
  },

  async setHeaderMedia(ctx: TenantCtx, id: string, input: { url: string | null }) {
    const template = await scoped(ctx, WaTemplateEntity).get(id, 'Template');
    const format = mediaHeaderFormat(template.components);
    if (!format)
      throw unprocessable('This template has no image, video or document header', [{ path: 'url', message: 'The header is not media' }]);
    const now = ctx.now();
    const patch: Partial<WaTemplate> = { headerMediaUrl: input.url, updatedAt: now };
    await ctx.transaction(async (m) => {
      await scoped(ctx, WaTemplateEntity, m).update(id, patch);
      await emitUpdated(m, { ...template, ...patch }, now);
    });
    return templateView({ ...template, ...patch });
  },
};

/** A template of the tenant by id, or 404 naming `path`. */
export async function findTemplate(services: Services, tenantId: string, id: string): Promise<WaTemplate | null> {
  return services.db.getRepository(WaTemplateEntity).findOne({ where: { tenantId, id } });
}

/** 422 unless the template can be sent now (approved, not paused or disabled). */
export function assertSendable(template: WaTemplate, path = 'templateId'): void {
  if (template.status !== 'APPROVED' || template.pause)
    throw unprocessable(
      `The template "${template.name}" is ${template.pause ? 'paused' : template.status.toLowerCase()}; only approved templates can be sent`,
      [{ path, message: `Template status is ${template.status}` }],
    );
  const media = mediaHeaderFormat(template.components);
  if (media && !template.headerMediaUrl)
    throw unprocessable(`The template has a ${media.toLowerCase()} header; set its media link first`, [
      { path, message: 'Header media link missing (PATCH /api/v1/wa-templates/{templateId}/header-media)' },
    ]);
}

/** What sendTemplate() sends: a template with its values, into a conversation or to a contact. */
export interface SendTemplateInput {
  tenantId: string;
  templateId: string;
  /** Keyed as the template's `variables` (body.1, header.1, button.0, or body.<name> for named ones). */
  values: Record<string, string>;
  /** A WhatsApp conversation of the tenant; or else: */
  conversationId?: string;
  /** A contact with a WhatsApp number: its open conversation on the template's number, or a new one. */
  contactId?: string;
  /** Who sends it (default 'system', no sender). */
  senderType?: Message['senderType'];
  senderId?: string | null;
  /** Idempotency key: a second send with the same key answers the first message. */
  clientMessageId?: string | null;
}

export interface SendTemplateResult {
  messageId: string;
  conversationId: string;
  /** False when `clientMessageId` matched an earlier send (nothing new was queued). */
  created: boolean;
}

/**
 * Sends an approved template in a conversation (or to a contact's WhatsApp, opening a conversation
 * when it has no open one): the message is stored as queued and delivered by the durable
 * `message.send` job (retried, surviving restarts and outages), like an agent's reply. For other
 * modules (automation's "send template", the inbox's "start a conversation"). Throws 404 for an
 * unknown template, conversation or contact; 422 for a template that is not approved (or paused, or
 * lacks its header media), values that do not match its placeholders, a conversation not on
 * WhatsApp, or a contact without a WhatsApp number; 400 without a conversationId or contactId.
 */
export async function sendTemplate(services: Services, input: SendTemplateInput): Promise<SendTemplateResult> {
  return services.transaction((m) => sendTemplateIn(services, m, input));
}

/** sendTemplate() inside the caller's transaction `m` (e.g. an automation rule's run): the message, its job and events commit with it. */
export async function sendTemplateIn(services: Services, m: EntityManager, input: SendTemplateInput): Promise<SendTemplateResult> {
  const template = await m.getRepository(WaTemplateEntity).findOne({ where: { tenantId: input.tenantId, id: input.templateId } });
  if (!template) throw notFound('Template');
  assertSendable(template);
  const errors = checkValues(template.components, input.values, 'values');
  if (errors.length) throw unprocessable('The template values do not match its placeholders', errors);
  if (input.clientMessageId) {
    const existing = await m
      .getRepository(MessageEntity)
      .findOne({ where: { tenantId: input.tenantId, clientMessageId: input.clientMessageId } });
    if (existing) return { messageId: existing.id, conversationId: existing.conversationId, created: false };
  }
  const now = services.now();
  const conversations = m.getRepository(ConversationEntity);
  let conversation: Conversation | null = null;
  if (input.conversationId) {
    conversation = await conversations.findOne({ where: { id: input.conversationId, tenantId: input.tenantId } });
    if (!conversation) throw notFound('Conversation');
    if (conversation.channel !== 'whatsapp')
      throw unprocessable('Templates are sent on WhatsApp only', [{ path: 'conversationId', message: 'Not a WhatsApp conversation' }]);
    if (conversation.accountId !== template.accountId) {
      // Templates belong to a WhatsApp Business Account: any of its numbers may send them.
      const account = await m
        .getRepository(IntegrationAccountEntity)
        .findOne({ where: { id: conversation.accountId, tenantId: input.tenantId } });
      if (!account || (accountCredentials(services, account).config.wabaId ?? '') !== template.wabaId)
        throw unprocessable("The template belongs to another WhatsApp Business Account than this conversation's number", [
          { path: 'templateId', message: 'Not available on this number' },
        ]);
    }
  } else if (input.contactId) {
    if (!(await m.getRepository(ContactEntity).findOne({ where: { tenantId: input.tenantId, id: input.contactId }, select: { id: true } })))
      throw notFound('Contact');
    const identity = await m
      .getRepository(ContactIdentityEntity)
      .findOne({ where: { tenantId: input.tenantId, contactId: input.contactId, channel: 'whatsapp' } });
    if (!identity) throw unprocessable('The contact has no WhatsApp number', [{ path: 'contactId', message: 'No WhatsApp identity' }]);
    conversation = await conversations.findOne({
      where: { tenantId: input.tenantId, contactId: input.contactId, accountId: template.accountId, status: In(['open', 'pending']) },
      order: { createdAt: 'DESC' },
    });
    if (!conversation) {
      conversation = {
        id: newId(),
        tenantId: input.tenantId,
        channel: 'whatsapp',
        accountId: template.accountId,
        contactId: input.contactId,
        status: 'open',
        assigneeId: null,
        aiAgentId: null,
        divisionId: null,
        tags: [],
        priority: 'normal',
        unreadCount: 0,
        lastMessageAt: null,
        lastMessagePreview: null,
        lastInboundAt: null,
        windowExpiresAt: null,
        subject: null,
        resolvedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await conversations.insert(conversation as never);
      await emitEvent(
        m,
        {
          tenantId: input.tenantId,
          type: 'conversation.created',
          payload: { conversation: await conversationView(services, conversation) },
        },
        now,
      );
    }
  } else throw badRequest('Give a conversationId or a contactId', [{ path: 'conversationId', message: 'Required' }]);
  const text = renderBody(template.components, input.values);
  const message: Message = {
    id: newId(),
    tenantId: input.tenantId,
    conversationId: conversation.id,
    direction: 'outbound',
    type: 'template',
    text,
    content: {
      template: {
        name: template.name,
        language: template.language,
        components: sendComponents(template.components, template.parameterFormat, input.values, template.headerMediaUrl),
      },
    },
    status: 'queued',
    externalId: null,
    clientMessageId: input.clientMessageId ?? null,
    replyToId: null,
    senderType: input.senderType ?? 'system',
    senderId: input.senderId ?? null,
    mediaId: null,
    errorCode: null,
    errorReason: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    sendAttemptedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await m.getRepository(MessageEntity).insert(message as never);
  const patch: Partial<Conversation> = { lastMessageAt: now, lastMessagePreview: text.slice(0, 280), updatedAt: now };
  await conversations.update({ id: conversation.id }, patch);
  await enqueueJob(m, 'message.send', { messageId: message.id }, now, {
    tenantId: input.tenantId,
    queueKey: `conversation:${conversation.id}`,
    maxAttempts: SEND_MAX_ATTEMPTS,
  });
  const view = await conversationView(services, { ...conversation, ...patch });
  await emitEvent(
    m,
    { tenantId: input.tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } },
    now,
  );
  await emitEvent(m, { tenantId: input.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  return { messageId: message.id, conversationId: conversation.id, created: true };
}

/** Applies one of Meta's template webhooks (status change, quality change) to the stored template. */
export async function applyTemplateStatus(
  services: Services,
  tenantId: string,
  accountId: string,
  event: InboundTemplateStatus,
): Promise<void> {
  const account = await services.db.getRepository(IntegrationAccountEntity).findOne({ where: { id: accountId, tenantId } });
  if (!account) return;
  const wabaId = accountCredentials(services, account).config.wabaId ?? '';
  await services.transaction(async (m) => {
    const repo = m.getRepository(WaTemplateEntity);
    const now = services.now();
    const template =
      (await repo.findOne({ where: { tenantId, externalId: event.templateExternalId } })) ??
      (await repo.findOne({ where: { tenantId, wabaId, name: event.name, language: event.language } }));
    const quality = event.event === 'QUALITY_CHANGED';
    const reason = event.reason ?? event.pause?.description ?? null;
    if (!template) {
      // A template made in Meta's tools that was never synced: keep what the webhook says of it.
      const row: WaTemplate = {
        id: newId(),
        tenantId,
        accountId,
        wabaId,
        externalId: event.templateExternalId,
        name: event.name,
        language: event.language,
        category: event.category ?? 'UTILITY',
        parameterFormat: 'POSITIONAL',
        components: [],
        status: quality ? 'APPROVED' : event.event,
        statusReason: quality ? null : reason,
        qualityScore: event.qualityScore ?? null,
        pause: event.event === 'PAUSED' ? (event.pause ?? { title: 'PAUSED' }) : null,
        statusHistory: [{ event: event.event, reason, at: now }],
        headerMediaUrl: null,
        submission: 'synced',
        submissionError: null,
        createdById: null,
        lastSyncedAt: null,
        statusUpdatedAt: now,
        createdAt: now,
        updatedAt: now,
      };
      await repo.insert(row as never);
      await emitUpdated(m, row, now);
      return;
    }
    const patch: Partial<WaTemplate> = {
      updatedAt: now,
      statusHistory: pushHistory(template, event.event, reason, now),
      statusUpdatedAt: now,
    };
    if (!template.externalId) patch.externalId = event.templateExternalId;
    if (quality) patch.qualityScore = event.qualityScore ?? template.qualityScore;
    else {
      patch.status = event.event;
      patch.statusReason = event.event === 'APPROVED' ? null : reason;
      patch.pause = event.event === 'PAUSED' ? (event.pause ?? { title: 'PAUSED' }) : null;
      if (event.category) patch.category = event.category;
    }
    await repo.update({ id: template.id }, patch as never);
    await emitUpdated(m, { ...template, ...patch }, now);
  });
}

export function waTemplateJobs(services: Services): Record<string, JobHandler> {
  return {
    'wa-templates.submit': async (job) => {
      const repo = services.db.getRepository(WaTemplateEntity);
      const template = await repo.findOne({ where: { id: String(job.payload.templateId) } });
      if (template?.submission !== 'queued') return;
      const account = await services.db.getRepository(IntegrationAccountEntity).findOne({ where: { id: template.accountId } });
      const fail = async (reason: string) => {
        const now = services.now();
        const patch: Partial<WaTemplate> = {
          submission: 'failed',
          submissionError: reason.slice(0, 1000),
          status: 'REJECTED',
          statusReason: reason.slice(0, 500),
          statusHistory: pushHistory(template, 'REJECTED', reason.slice(0, 500), now),
          statusUpdatedAt: now,
          updatedAt: now,
        };
        await services.transaction(async (m) => {
          await m.getRepository(WaTemplateEntity).update({ id: template.id }, patch as never);
          await emitUpdated(m, { ...template, ...patch }, now);
        });
      };
      if (account?.status !== 'active') return fail('The WhatsApp account was disconnected before the template reached Meta.');
      const creds = accountCredentials(services, account);
      const body: Record<string, unknown> = {
        name: template.name,
        language: template.language,
        category: template.category,
        components: template.components,
      };
      if (template.parameterFormat === 'NAMED') body.parameter_format = 'NAMED';
      let answer: { id?: string; status?: string; category?: string } | undefined;
      try {
        answer = await services.adapters.whatsapp.graph.post(
          `/${encodeURIComponent(template.wabaId)}/message_templates`,
          creds.config.accessToken ?? '',
          body,
        );
      } catch (err) {
        if (err instanceof ChannelSendError && !err.retryable) return fail(err.reason);
        throw err; // offline or rate limited: the job retries with backoff
      }
      const now = services.now();
      const status = (answer?.status ?? 'PENDING').toUpperCase();
      const patch: Partial<WaTemplate> = {
        externalId: answer?.id ?? null,
        status,
        category: (answer?.category ?? template.category).toUpperCase(),
        submission: 'submitted',
        submissionError: null,
        statusHistory: pushHistory(template, status, null, now),
        statusUpdatedAt: now,
        updatedAt: now,
      };
      await services.transaction(async (m) => {
        await m.getRepository(WaTemplateEntity).update({ id: template.id }, patch as never);
        await emitUpdated(m, { ...template, ...patch }, now);
      });
    },
  };
}

export function waTemplateEvents(services: Services): Record<string, EventHandler> {
  return {
    'template.status_changed': async (event) => {
      const { accountId, ...status } = event.payload as unknown as InboundTemplateStatus & { accountId: string };
      if (!event.tenantId || !accountId) return;
      await applyTemplateStatus(services, event.tenantId, accountId, status);
    },
  };
}
