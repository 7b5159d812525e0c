// Email by IMAP: a second way in beside the inbound webhook, for mailboxes at a hosting provider.
// One worker per email account with an IMAP server: it connects (the host checked by the outbound
// guard and the connection pinned to the address that passed), reads the folder's new mail by UID,
// then waits for the server to announce more (IDLE) or for the poll interval. Each message is
// stored exactly like a webhook email (same job, same threading, de-duplicated by Message-ID) in
// the transaction that advances the cursor (UIDVALIDITY + last UID), so a restart neither loses
// nor repeats mail.
import { ImapFlow } from 'imapflow';
import type { Services } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { OutboundError } from '../../core/net/outbound.js';
import { IntegrationAccountEntity, type IntegrationAccount } from '../integrations/integration.entity.js';
import { accountCredentials } from '../integrations/integrations.service.js';
import { storeFetchedEmail } from '../webhooks/webhooks.service.js';
import { ImapCursorEntity, type ImapCursor } from './imap-cursor.entity.js';

/** Larger messages are skipped (and said so in the log): the webhook's limit too. */
const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;
const DAY_MS = 86_400_000;

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
}

/** The IMAP settings of an email account, or null when it is not read by IMAP. */
export function imapSettings(config: Record<string, string | undefined>): ImapSettings | null {
  if (!config.imapHost || !config.imapUser || !config.imapPassword) return null;
  const secure = config.imapTls !== 'false';
  return {
    host: config.imapHost,
    port: Number(config.imapPort) || (secure ? 993 : 143),
    secure,
    user: config.imapUser,
    pass: config.imapPassword,
    mailbox: config.imapMailbox || 'INBOX',
  };
}

/** A failure in words for the owner (Settings → Channels), without credentials. */
function describe(err: unknown): string {
  if (err instanceof OutboundError) return `The IMAP server was refused: ${err.message}`;
  const e = err as { authenticationFailed?: boolean; code?: string; responseText?: string; message?: string };
  if (e?.authenticationFailed) return 'The IMAP server refused the user name or password';
  if (e?.code === 'ECONNREFUSED') return 'The IMAP server refused the connection';
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'The IMAP host name could not be resolved';
  if (e?.code === 'ETIMEDOUT' || e?.code === 'CONNECT_TIMEOUT' || e?.code === 'GREETING_TIMEOUT')
    return 'The IMAP server did not answer in time';
  return (e?.responseText || e?.message || 'IMAP error').slice(0, 300);
}

async function cursorFor(services: Services, account: IntegrationAccount, mailbox: string): Promise<ImapCursor> {
  const repo = services.db.getRepository(ImapCursorEntity);
  const found = await repo.findOne({ where: { accountId: account.id, mailbox } });
  if (found) return found;
  const now = services.now();
  const cursor: ImapCursor = {
    id: newId(),
    tenantId: account.tenantId,
    accountId: account.id,
    mailbox,
    uidValidity: null,
    lastUid: 0,
    idle: false,
    lastPolledAt: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
  await repo.insert(cursor);
  return cursor;
}

/** Opens a connection under the outbound guard: the checked address, the host name kept for TLS. */
async function connect(services: Services, s: ImapSettings): Promise<ImapFlow> {
  const host = s.host.replace(/^\[|\]$/g, '');
  const url = `${s.secure ? 'imaps' : 'imap'}://${host.includes(':') ? `[${host}]` : host}:${s.port}`;
  const parsed = await services.outbound.check(url, ['imap:', 'imaps:']);
  const [address] = await services.outbound.resolve(parsed.hostname);
  const client = new ImapFlow({
    host: address.address,
    port: s.port,
    secure: s.secure,
    servername: address.address === host ? undefined : host,
    tls: { servername: address.address === host ? undefined : host },
    auth: { user: s.user, pass: s.pass },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 5 * 60_000,
    maxIdleTime: 4 * 60_000,
  });
  // An error after connecting ends the connection ('close'), which the worker waits for.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Reads the folder's new mail into the inbox. The first read (or one after the folder's
 * UIDVALIDITY changed) takes what arrived since the account was connected, a day's margin
 * included (IMAP's SINCE is by date); mail already stored is recognised by its Message-ID.
 */
export async function syncMailbox(services: Services, client: ImapFlow, account: IntegrationAccount, s: ImapSettings): Promise<number> {
  const lock = await client.getMailboxLock(s.mailbox);
  let stored = 0;
  try {
    const box = client.mailbox;
    if (!box) throw new Error(`The folder ${s.mailbox} could not be opened`);
    const uidValidity = String(box.uidValidity);
    let cursor = await cursorFor(services, account, s.mailbox);
    const fresh = cursor.uidValidity !== uidValidity;
    const found = fresh
      ? await client.search({ since: new Date(account.createdAt.getTime() - DAY_MS) }, { uid: true })
      : await client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((uid) => fresh || uid > cursor.lastUid).sort((a, b) => a - b);
    for (const uid of uids) {
      const message = await client.fetchOne(String(uid), { uid: true, source: true, size: true }, { uid: true });
      const source = message ? message.source : undefined;
      await services.transaction(async (m) => {
        const now = services.now();
        if (source && source.length <= MAX_MESSAGE_BYTES) {
          await storeFetchedEmail(m, account, source, now);
          stored++;
        } else if (source) {
          services.log.warn({ accountId: account.id, uid, size: source.length }, 'IMAP message too large; skipped');
        }
        await m.getRepository(ImapCursorEntity).update({ id: cursor.id }, { uidValidity, lastUid: uid, updatedAt: now });
      });
      cursor = { ...cursor, uidValidity, lastUid: uid };
    }
    const patch: Partial<ImapCursor> = {
      idle: client.capabilities.has('IDLE'),
      lastPolledAt: services.now(),
      lastError: null,
      updatedAt: services.now(),
    };
    if (fresh && uids.length === 0) Object.assign(patch, { uidValidity, lastUid: Math.max(0, Number(box.uidNext ?? 1) - 1) });
    await services.db.getRepository(ImapCursorEntity).update({ id: cursor.id }, patch);
  } finally {
    lock.release();
  }
  return stored;
}

/** One mailbox's worker: connect, read, wait for news or the interval, read again; reconnect with backoff. */
class MailboxWorker {
  private stopped = false;
  private client: ImapFlow | null = null;
  private wake: (() => void) | null = null;
  /** News arrived while reading: read again without waiting. */
  private pending = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly services: Services,
    readonly account: IntegrationAccount,
    private readonly settings: ImapSettings,
    private readonly pollMs: number,
  ) {
    this.done = this.run();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      timer.unref?.();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async recordError(err: unknown) {
    const message = describe(err);
    this.services.log.warn({ accountId: this.account.id, err: message }, 'IMAP mailbox could not be read');
    const cursor = await cursorFor(this.services, this.account, this.settings.mailbox).catch(() => null);
    if (cursor)
      await this.services.db
        .getRepository(ImapCursorEntity)
        .update({ id: cursor.id }, { lastError: message, idle: false, lastPolledAt: this.services.now(), updatedAt: this.services.now() })
        .catch(() => undefined);
  }

  private async run() {
    let failures = 0;
    while (!this.stopped) {
      try {
        this.client = await connect(this.services, this.settings);
        const client = this.client;
        let closed = false;
        client.on('close', () => {
          closed = true;
          this.wake?.();
        });
        // New mail announced while idling (or by a NOOP poll) wakes the worker at once.
        client.on('exists', () => {
          this.pending = true;
          this.wake?.();
        });
        while (!this.stopped && !closed) {
          this.pending = false;
          await syncMailbox(this.services, client, this.account, this.settings);
          failures = 0;
          if (this.stopped || closed) break;
          if (!this.pending) await this.sleep(this.pollMs);
        }
      } catch (err) {
        if (this.stopped) break;
        failures++;
        await this.recordError(err);
      } finally {
        const client = this.client;
        this.client = null;
        if (client) await client.logout().catch(() => client.close());
      }
      if (!this.stopped && failures > 0) await this.sleep(Math.min(1000 * 2 ** Math.min(failures, 9), 5 * 60_000));
    }
  }

  async stop() {
    this.stopped = true;
    this.wake?.();
    this.client?.close();
    await this.done;
  }
}

/** Keeps one worker per email account read by IMAP, following accounts as they are added, changed or removed. */
export class ImapReader {
  private readonly workers = new Map<string, MailboxWorker>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly services: Services) {}

  start() {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.services.config.IMAP_REFRESH_MS);
    this.timer.unref?.();
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.reconcile().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async reconcile() {
    if (this.stopped) return;
    let accounts: IntegrationAccount[];
    try {
      accounts = await this.services.db.getRepository(IntegrationAccountEntity).find({ where: { channel: 'email', status: 'active' } });
    } catch {
      return; // the database is closing
    }
    const wanted = new Map<string, { account: IntegrationAccount; settings: ImapSettings }>();
    for (const account of accounts) {
      if (!account.config.imapHost) continue;
      const settings = imapSettings(accountCredentials(this.services, account).config);
      if (settings) wanted.set(account.id, { account, settings });
    }
    for (const [id, worker] of this.workers) {
      const next = wanted.get(id);
      // Gone, disconnected or edited (new password, host…): this worker stops; a new one starts below.
      if (!next || next.account.updatedAt.getTime() !== worker.account.updatedAt.getTime()) {
        this.workers.delete(id);
        await worker.stop();
      }
    }
    if (this.stopped) return;
    for (const [id, { account, settings }] of wanted) {
      if (!this.workers.has(id))
        this.workers.set(id, new MailboxWorker(this.services, account, settings, this.services.config.IMAP_POLL_INTERVAL_MS));
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }
}
