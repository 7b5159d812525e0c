// The browser's outbox: every reply goes through it. An entry keeps its clientMessageId from the
// first attempt to the last, so a retry after a lost response never makes a second message (the
// server answers the same message for the same id). Entries survive a reload (localStorage) and
// drain in order when the server can be reached again.
import { ApiError } from '../api';
import { problemCodeText } from '../api/problem-text';
import { inboxApi, newClientMessageId, type Message, type SendBody, type SendInput } from './api';

export type OutboxState = 'pending' | 'sending' | 'failed';

export interface OutboxEntry {
  clientMessageId: string;
  conversationId: string;
  body: SendBody;
  createdAt: string;
  state: OutboxState;
  /** Why the server refused it (shown with a retry action). */
  error?: string;
  /** The server refused it because the 24-hour window has closed. */
  windowClosed?: boolean;
}

type SentListener = (message: Message, entry: OutboxEntry) => void;
type RefusedListener = (entry: OutboxEntry) => void;

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10_000;

function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 401 || error.status === 408 || error.status === 429 || error.status >= 500;
}

export class Outbox {
  private entries: OutboxEntry[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly sentListeners = new Set<SentListener>();
  private readonly refusedListeners = new Set<RefusedListener>();
  private flushing = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = RETRY_MIN_MS;
  private disposed = true;

  constructor(private readonly storageKey: string) {
    this.entries = this.read();
    // Anything that was mid-flight when the page closed is simply pending again (same clientMessageId).
    this.entries = this.entries.map((e) => (e.state === 'sending' ? { ...e, state: 'pending' } : e));
  }

  /** Starts syncing with other tabs and sending; stop() pauses both (start() may be called again). */
  start(): void {
    this.disposed = false;
    window.addEventListener('storage', this.onStorage);
    void this.flush();
  }

  stop(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    window.removeEventListener('storage', this.onStorage);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): OutboxEntry[] => this.entries;

  onSent(listener: SentListener): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  onRefused(listener: RefusedListener): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  get pendingCount(): number {
    return this.entries.filter((e) => e.state !== 'failed').length;
  }

  /** Queues a reply and tries to send it at once. */
  enqueue(conversationId: string, body: SendInput): OutboxEntry {
    const clientMessageId = newClientMessageId();
    const entry: OutboxEntry = {
      clientMessageId,
      conversationId,
      body: { ...body, clientMessageId } as SendBody,
      createdAt: new Date().toISOString(),
      state: 'pending',
    };
    this.set([...this.entries, entry]);
    void this.flush();
    return entry;
  }

  /** Tries a refused entry again, with the same clientMessageId. */
  retry(clientMessageId: string): void {
    this.update(clientMessageId, { state: 'pending', error: undefined, windowClosed: undefined });
    void this.flush();
  }

  discard(clientMessageId: string): void {
    this.set(this.entries.filter((e) => e.clientMessageId !== clientMessageId));
  }

  /** The server has this message (seen live): the entry is done. */
  acknowledge(clientMessageId: string | null | undefined): void {
    if (!clientMessageId) return;
    const entry = this.entries.find((e) => e.clientMessageId === clientMessageId);
    if (entry && entry.state !== 'sending') this.discard(clientMessageId);
  }

  /** Sends pending entries one at a time, oldest first; stops at the first network failure. */
  async flush(): Promise<void> {
    if (this.flushing || this.disposed) return;
    this.flushing = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    try {
      for (;;) {
        if (this.disposed) return;
        const entry = this.entries.find((e) => e.state === 'pending');
        if (!entry) {
          this.retryDelay = RETRY_MIN_MS;
          return;
        }
        this.update(entry.clientMessageId, { state: 'sending' });
        try {
          const message = await inboxApi.send(entry.conversationId, entry.body);
          this.discard(entry.clientMessageId);
          this.retryDelay = RETRY_MIN_MS;
          for (const listener of this.sentListeners) listener(message, entry);
        } catch (error) {
          if (isTransient(error)) {
            this.update(entry.clientMessageId, { state: 'pending' });
            this.scheduleRetry();
            return;
          }
          const apiError = error as ApiError;
          const windowClosed = apiError.status === 422 && Boolean(apiError.fieldErrors.type);
          this.update(entry.clientMessageId, {
            state: 'failed',
            error: problemCodeText(apiError.code) || apiError.detail || apiError.title,
            windowClosed,
          });
          const refused = this.entries.find((e) => e.clientMessageId === entry.clientMessageId);
          if (refused) for (const listener of this.refusedListeners) listener(refused);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => void this.flush(), delay);
  }

  private update(clientMessageId: string, patch: Partial<OutboxEntry>): void {
    this.set(this.entries.map((e) => (e.clientMessageId === clientMessageId ? { ...e, ...patch } : e)));
  }

  private set(entries: OutboxEntry[]): void {
    this.entries = entries;
    this.write();
    for (const listener of this.listeners) listener();
  }

  private read(): OutboxEntry[] {
    try {
      const raw = window.localStorage.getItem(this.storageKey);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? (parsed as OutboxEntry[]).filter((e) => e && typeof e.clientMessageId === 'string') : [];
    } catch {
      return [];
    }
  }

  private write(): void {
    try {
      if (this.entries.length) window.localStorage.setItem(this.storageKey, JSON.stringify(this.entries));
      else window.localStorage.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: the outbox still works for this page's lifetime.
    }
  }

  private onStorage = (event: StorageEvent) => {
    if (event.key !== this.storageKey || this.flushing) return;
    // Another tab of the same agent changed the outbox; keep this tab's in-flight entry as it is.
    const fromOtherTab = this.read();
    this.entries = fromOtherTab;
    for (const listener of this.listeners) listener();
  };
}
