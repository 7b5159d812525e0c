// The sending rate of each channel account (a WhatsApp number's throughput tier), shared by everything
// that sends from it: conversation replies and campaigns take their slots from the same limiter, so
// together they stay under the number's limit. In memory: after a restart a number starts afresh.

interface AccountLimiter {
  /** When the next send may start (ms since the epoch). */
  next: number;
  /** Set after Meta answered 130429 (throughput exceeded): nothing starts before it. */
  pausedUntil: number;
  /** Consecutive throughput errors: each doubles the pause. */
  throttled: number;
}

const limiters = new Map<string, AccountLimiter>();

export function sendLimiter(accountId: string): AccountLimiter {
  let l = limiters.get(accountId);
  if (!l) limiters.set(accountId, (l = { next: 0, pausedUntil: 0, throttled: 0 }));
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for this account's next send slot at `rate` per second. Slots are spaced from the previous
 * slot, not from now, so senders that run a little late (a busy event loop, a coarse timer) catch
 * up and the average stays at the rate; after a pause (more than 250 ms behind) it starts afresh
 * rather than bursting.
 */
export async function acquireSendSlot(accountId: string, rate: number): Promise<void> {
  const l = sendLimiter(accountId);
  const now = Date.now();
  const at = Math.max(now - l.next > 250 ? now : l.next, l.pausedUntil);
  l.next = at + 1000 / rate;
  if (at > now) await sleep(at - now);
}
