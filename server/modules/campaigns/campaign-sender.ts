// Sending a campaign: a chain of durable `campaigns.send` jobs (one queue per campaign), each sending
// a slice of the queued recipients at the campaign's rate per WhatsApp number, then enqueueing the
// next. Each recipient's state is committed before the Graph call (`sending`) and after it (`sent`
// with Meta's message id), and the send carries the recipient's id in `biz_opaque_callback_data`, so
// after a crash a send whose answer was lost is matched to Meta's status webhook instead of being sent
// again. Rate limits back off: 130429 (throughput) pauses the number, 131056 (pair rate) delays that
// recipient. With the internet down the job fails, the recipients stay queued, and it retries.
import { And, IsNull, LessThanOrEqual, MoreThan, Not, type EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { ChannelSendError, type InboundStatus, type OutboundMessage } from '../../channels/types.js';
import { acquireSendSlot, sendLimiter } from '../../channels/send-rate.js';
import { IntegrationAccountEntity, type IntegrationAccount } from '../integrations/integration.entity.js';
import { accountCredentials } from '../integrations/integrations.service.js';
import { WaTemplateEntity, type WaTemplate } from '../wa-templates/wa-template.entity.js';
import { checkValues, mediaHeaderFormat, sendComponents } from '../wa-templates/wa-templates.service.js';
import { CampaignEntity, CampaignRecipientEntity, type Campaign, type CampaignRecipient, type RecipientStatus } from './campaign.entity.js';

const SEND_JOB = 'campaigns.send';
/** Per-recipient attempts on retryable errors before it is marked failed. */
const MAX_RECIPIENT_ATTEMPTS = 12;
/** Sends in flight at once per slice (Graph answers take time; the rate is kept by the limiter). */
const MAX_IN_FLIGHT = 32;
/** Never resend an unconfirmed send after this long: mark it failed instead. */
const UNCONFIRMED_GIVE_UP_MS = 24 * 3600_000;
/** Errors that stop the whole campaign: the account, the token or the template is unusable. */
const CAMPAIGN_STOPPERS = new Set([190, 131031, 131042, 132001, 132015, 132016, 133010]);
/** Connection errors that prove the request never reached Meta. */
const NOT_SENT_NETWORK = /(connection refused|host not found|name lookup failed|host unreachable|network unreachable)/;

/**
 * Queues the next slice of a campaign (one queue per campaign, so slices never overlap), or, with
 * `startAt`, the start of a scheduled one: outside that queue, so a reschedule to an earlier time is
 * not stuck behind the start it replaces (a start that is no longer due does nothing).
 */
export function enqueueSend(m: EntityManager, campaign: Pick<Campaign, 'id' | 'tenantId'>, now: Date, runAt?: Date, startAt?: Date) {
  if (startAt) {
    return enqueueJob(m, SEND_JOB, { campaignId: campaign.id, start: true }, now, {
      tenantId: campaign.tenantId,
      runAt: startAt,
      maxAttempts: 100,
    });
  }
  return enqueueJob(m, SEND_JOB, { campaignId: campaign.id }, now, {
    tenantId: campaign.tenantId,
    queueKey: `campaign:${campaign.id}`,
    runAt,
    maxAttempts: 100_000,
  });
}

/** Recipients whose Graph call is under way in this process. */
const inFlight = new Set<string>();

// --- statuses from Meta's webhooks ------------------------------------------------------------------

const RANK: Record<RecipientStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  replied: 5,
  failed: 6,
  cancelled: 7,
};

/**
 * Applies a WhatsApp status webhook to the campaign recipient it is about (by Meta's message id, or by
 * the recipient id the send carried). Returns false when it is about no recipient.
 */
export async function applyRecipientStatus(services: Services, account: IntegrationAccount, status: InboundStatus): Promise<boolean> {
  const repo = services.db.getRepository(CampaignRecipientEntity);
  let recipient = await repo.findOne({ where: { tenantId: account.tenantId, externalId: status.externalId } });
  if (!recipient && status.callbackData?.startsWith('cr:')) {
    recipient = await repo.findOne({ where: { tenantId: account.tenantId, id: status.callbackData.slice(3) } });
  }
  if (!recipient) return false;
  const now = services.now();
  const patch: Partial<CampaignRecipient> = { updatedAt: now };
  if (!recipient.confirmedAt) patch.confirmedAt = now;
  if (!recipient.externalId) patch.externalId = status.externalId;
  if (status.status === 'failed') {
    // A failure never overrides a message Meta already delivered.
    if (!['delivered', 'read', 'replied', 'failed'].includes(recipient.status)) {
      Object.assign(patch, {
        status: 'failed',
        errorCode: status.error?.code ?? null,
        errorReason: (status.error?.reason ?? 'Meta reported a failure').slice(0, 500),
      });
    }
  } else {
    const field = ({ sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt' } as const)[status.status];
    if (!recipient[field]) patch[field] = status.timestamp;
    if (!recipient.sentAt) patch.sentAt = status.timestamp;
    if (status.status !== 'sent' && !recipient.deliveredAt) patch.deliveredAt = status.timestamp;
    if (recipient.status === 'sending' || (recipient.status !== 'failed' && RANK[status.status] > RANK[recipient.status]))
      patch.status = status.status;
  }
  await repo.update({ id: recipient.id }, patch as never);
  return true;
}

// --- one slice of a campaign ------------------------------------------------------------------------

/** The values of the template's placeholders for one recipient: `{{field}}` or `{{field | fallback}}`. */
export function renderValues(
  variables: Record<string, string>,
  fields: Record<string, string>,
): { values: Record<string, string>; empty: string[] } {
  const values: Record<string, string> = {};
  const empty: string[] = [];
  for (const [key, template] of Object.entries(variables)) {
    const value = template
      .replace(/\{\{\s*([\w.-]+)\s*(?:\|\s*([^}]*))?\}\}/g, (_m, name: string, fallback?: string) => {
        const v = fields[name.replace(/^(contact|csv)\./, '')] ?? '';
        return v.trim() ? v : (fallback ?? '').trim();
      })
      .trim();
    values[key] = value;
    if (!value) empty.push(key);
  }
  return { values, empty };
}

async function setCampaign(services: Services, campaign: Campaign, patch: Partial<Campaign>, finished = false) {
  const now = services.now();
  await services.transaction(async (m) => {
    await m.getRepository(CampaignEntity).update({ id: campaign.id }, { ...patch, updatedAt: now } as never);
    const payload = { campaignId: campaign.id, name: campaign.name, status: patch.status ?? campaign.status };
    await emitEvent(m, { tenantId: campaign.tenantId, type: 'campaign.updated', payload }, now);
    if (finished) {
      const stats = await statusCounts(m, campaign.id);
      await emitEvent(m, { tenantId: campaign.tenantId, type: 'campaign.finished', payload: { ...payload, stats, finishedAt: now } }, now);
    }
  });
}

export async function statusCounts(m: EntityManager, campaignId: string): Promise<Record<RecipientStatus, number> & { total: number }> {
  const rows: { status: RecipientStatus; n: number | string }[] = await m
    .getRepository(CampaignRecipientEntity)
    .createQueryBuilder('r')
    .select('r.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where('r.campaignId = :campaignId', { campaignId })
    .groupBy('r.status')
    .getRawMany();
  const counts = { queued: 0, sending: 0, sent: 0, delivered: 0, read: 0, replied: 0, failed: 0, cancelled: 0, total: 0 };
  for (const r of rows) {
    counts[r.status] = Number(r.n);
    counts.total += Number(r.n);
  }
  return counts;
}

/**
 * Sends left `sending` by a crash or a lost answer, not under way here: matched already if Meta's
 * webhook came (it sets the status); sent again once a later send of the campaign was confirmed
 * long enough ago (so Meta's webhooks flow, and this one never reached Meta); given up after a day.
 */
async function reconcileUnconfirmed(services: Services, campaign: Campaign): Promise<number> {
  const repo = services.db.getRepository(CampaignRecipientEntity);
  const stuck = (await repo.find({ where: { campaignId: campaign.id, status: 'sending' }, order: { sendingAt: 'ASC' }, take: 500 })).filter(
    (r) => !inFlight.has(r.id),
  );
  if (stuck.length === 0) return 0;
  const now = services.now();
  const grace = services.config.CAMPAIGN_UNCONFIRMED_GRACE_MS;
  let waiting = 0;
  for (const r of stuck) {
    const sendingAt = r.sendingAt ?? r.updatedAt;
    const proof = await repo.findOne({
      where: {
        campaignId: campaign.id,
        sendingAt: MoreThan(sendingAt),
        confirmedAt: And(Not(IsNull()), LessThanOrEqual(new Date(now.getTime() - grace))),
      },
      select: { id: true },
    });
    if (proof) {
      services.log.warn({ campaignId: campaign.id, recipientId: r.id }, 'campaign send never confirmed by Meta; sending it again');
      await repo.update({ id: r.id, status: 'sending' }, { status: 'queued', updatedAt: now });
    } else if (now.getTime() - sendingAt.getTime() > UNCONFIRMED_GIVE_UP_MS) {
      await repo.update(
        { id: r.id, status: 'sending' },
        {
          status: 'failed',
          errorReason: 'The send was interrupted and Meta never confirmed it; not sent again to avoid a duplicate.',
          updatedAt: now,
        },
      );
    } else waiting++;
  }
  return waiting;
}

type Outcome = 'sent' | 'requeued' | 'failed' | 'unknown' | 'offline' | 'stop';

export function campaignJobs(services: Services): Record<string, JobHandler> {
  const recipients = () => services.db.getRepository(CampaignRecipientEntity);

  async function sendOne(
    campaign: Campaign,
    template: WaTemplate,
    credentials: ReturnType<typeof accountCredentials>,
    r: CampaignRecipient,
  ): Promise<{ outcome: Outcome; reason?: string }> {
    const { values, empty } = renderValues(campaign.variables, r.fields);
    const fail = async (reason: string, code: number | null = null) => {
      await recipients().update(
        { id: r.id },
        { status: 'failed', errorCode: code, errorReason: reason.slice(0, 500), updatedAt: services.now() },
      );
      return { outcome: 'failed' as const, reason };
    };
    if (empty.length) return fail(`No value for ${empty.join(', ')} for this recipient`);
    // Before the call: durably "sending" (only if still queued: a cancel may have come in between).
    // In a transaction (the queue's), as a reply's claim is: a loose write could land inside another
    // open transaction and be reported done before that one commits.
    const claimed = await services.transaction((m) =>
      m
        .getRepository(CampaignRecipientEntity)
        .update(
          { id: r.id, status: 'queued' },
          { status: 'sending', sendingAt: services.now(), attempts: r.attempts + 1, updatedAt: services.now() },
        ),
    );
    if (!claimed.affected) return { outcome: 'requeued' };
    inFlight.add(r.id);
    const message: OutboundMessage = {
      to: r.waId,
      type: 'template',
      content: {
        template: {
          name: template.name,
          language: template.language,
          components: sendComponents(template.components, template.parameterFormat, values, template.headerMediaUrl),
        },
      },
      callbackData: `cr:${r.id}`,
    };
    try {
      const { externalId } = await services.adapters.whatsapp.send(credentials, message);
      const now = services.now();
      // After the call: sent, with Meta's id. A webhook that came first has already set the status;
      // then only Meta's id is kept, if the webhook did not bring it.
      const marked = await recipients().update(
        { id: r.id, status: 'sending' },
        { status: 'sent', externalId, sentAt: now, errorCode: null, errorReason: null, updatedAt: now },
      );
      if (!marked.affected) await recipients().update({ id: r.id, externalId: IsNull() }, { externalId });
      sendLimiter(campaign.accountId!).throttled = 0;
      return { outcome: 'sent' };
    } catch (err) {
      const now = services.now();
      if (!(err instanceof ChannelSendError)) throw err;
      const answered = err.httpStatus !== undefined;
      const requeue = (patch: Partial<CampaignRecipient> = {}) =>
        recipients().update(
          { id: r.id, status: 'sending' },
          { status: 'queued', errorCode: err.code ?? null, errorReason: err.reason.slice(0, 500), updatedAt: now, ...patch },
        );
      if (!answered && !NOT_SENT_NETWORK.test(err.reason)) {
        // A timeout or a cut connection: Meta may have it. Left "sending" for the webhook to settle.
        await recipients().update(
          { id: r.id, status: 'sending' },
          { errorReason: `Unconfirmed: ${err.reason}`.slice(0, 500), updatedAt: now },
        );
        return { outcome: 'unknown', reason: err.reason };
      }
      if (!answered) {
        await requeue({ attempts: r.attempts });
        return { outcome: 'offline', reason: err.reason };
      }
      if (err.code && CAMPAIGN_STOPPERS.has(err.code)) {
        await requeue({ attempts: r.attempts });
        return { outcome: 'stop', reason: err.reason };
      }
      if (err.retryable && r.attempts + 1 < MAX_RECIPIENT_ATTEMPTS) {
        const base = services.config.JOB_RETRY_BASE_MS;
        if (err.code === 131056) {
          // Pair rate limit: this customer got too many messages from this number; wait, longer each time.
          await requeue({ nextAttemptAt: new Date(now.getTime() + 3 * base * 2 ** r.attempts) });
        } else {
          // Throughput (130429, 80007, 4) or a temporary error: the whole number slows down.
          const l = sendLimiter(campaign.accountId!);
          l.pausedUntil = Date.now() + Math.min((base / 2) * 2 ** l.throttled, 60_000);
          l.throttled++;
          await requeue();
        }
        return { outcome: 'requeued', reason: err.reason };
      }
      return fail(err.reason, err.code ?? null);
    } finally {
      inFlight.delete(r.id);
    }
  }

  return {
    [SEND_JOB]: async (job) => {
      const campaigns = services.db.getRepository(CampaignEntity);
      const campaign = await campaigns.findOne({ where: { id: String(job.payload.campaignId) } });
      if (!campaign) return;
      const now = services.now();
      if (job.payload.start) {
        // The start of a scheduled campaign: not when it was rescheduled later, sent now or cancelled.
        if (campaign.status !== 'scheduled' || (campaign.scheduledAt && campaign.scheduledAt.getTime() > now.getTime())) return;
        await services.transaction(async (m) => {
          await m
            .getRepository(CampaignEntity)
            .update({ id: campaign!.id, status: 'scheduled' }, { status: 'sending', startedAt: now, updatedAt: now });
          await emitEvent(
            m,
            {
              tenantId: campaign!.tenantId,
              type: 'campaign.updated',
              payload: { campaignId: campaign!.id, name: campaign!.name, status: 'sending' },
            },
            now,
          );
          await enqueueSend(m, campaign!, now);
        });
        return;
      }
      if (campaign.status !== 'sending') return;
      const account = campaign.accountId
        ? await services.db.getRepository(IntegrationAccountEntity).findOne({ where: { id: campaign.accountId } })
        : null;
      const template = campaign.templateId
        ? await services.db.getRepository(WaTemplateEntity).findOne({ where: { id: campaign.templateId } })
        : null;
      const stop = (reason: string) =>
        setCampaign(services, campaign, { status: 'failed', failureReason: reason.slice(0, 500), completedAt: services.now() }, true);
      if (account?.status !== 'active') return stop('The WhatsApp account was disconnected.');
      if (!template) return stop('The template was deleted.');
      if (template.status !== 'APPROVED' || template.pause)
        return stop(`The template is ${template.pause ? 'paused' : template.status.toLowerCase()}.`);
      if (mediaHeaderFormat(template.components) && !template.headerMediaUrl) return stop('The template header needs a media link.');
      if (checkValues(template.components, campaign.variables).length)
        return stop('The template placeholders changed; the campaign values no longer match.');
      const waiting = await reconcileUnconfirmed(services, campaign);
      const sliceSize = Math.min(Math.max(campaign.ratePerSecond * 2, 10), 500);
      const batch = await recipients().find({
        where: [
          { campaignId: campaign.id, status: 'queued', nextAttemptAt: IsNull() },
          { campaignId: campaign.id, status: 'queued', nextAttemptAt: LessThanOrEqual(now) },
        ],
        order: { id: 'ASC' },
        take: sliceSize,
      });
      if (batch.length === 0) {
        const later = await recipients().findOne({ where: { campaignId: campaign.id, status: 'queued' }, order: { nextAttemptAt: 'ASC' } });
        if (later || waiting > 0) {
          const at =
            later?.nextAttemptAt ??
            new Date(now.getTime() + Math.max(1000, Math.min(services.config.CAMPAIGN_UNCONFIRMED_GRACE_MS / 4, 30_000)));
          await services.transaction((m) => enqueueSend(m, campaign, now, at));
          return;
        }
        return setCampaign(services, campaign, { status: 'completed', completedAt: now }, true);
      }
      const credentials = accountCredentials(services, account);
      const running = new Set<Promise<void>>();
      let offline: string | undefined;
      let stopped: string | undefined;
      let checkedAt = 0;
      for (const r of batch) {
        if (offline || stopped) break;
        await acquireSendSlot(account.id, campaign.ratePerSecond);
        // A cancel stops what has not left (looked up at most every 200 ms).
        if (Date.now() - checkedAt > 200) {
          checkedAt = Date.now();
          if ((await campaigns.findOne({ where: { id: campaign.id }, select: { status: true } }))?.status !== 'sending') break;
        }
        const p = sendOne(campaign, template, credentials, r).then(({ outcome, reason }) => {
          if (outcome === 'offline') offline = reason;
          if (outcome === 'stop') stopped = reason;
        });
        running.add(p);
        void p.finally(() => running.delete(p));
        if (running.size >= MAX_IN_FLIGHT) await Promise.race(running);
      }
      await Promise.all(running);
      if (stopped) return stop(stopped);
      // Offline: the job fails and the runner retries it with backoff; the recipients stay queued.
      if (offline) throw new Error(`Meta cannot be reached; the campaign waits: ${offline}`);
      const l = sendLimiter(account.id);
      await services.transaction(async (m) => {
        const counts = await statusCounts(m, campaign.id);
        await emitEvent(
          m,
          { tenantId: campaign.tenantId, type: 'campaign.progress', payload: { campaignId: campaign.id, stats: counts } },
          services.now(),
        );
        await enqueueSend(
          m,
          campaign,
          services.now(),
          l.pausedUntil > Date.now() ? new Date(services.now().getTime() + (l.pausedUntil - Date.now())) : undefined,
        );
      });
    },
  };
}
