// Fan-out: N Socket.IO clients of one tenant (the agents' sessions, in turn); one signed webhook at
// a time; latency from the webhook's acknowledgement to the moment every client has its
// message.created. Baseline: a bare Socket.IO server emitting a payload of the same size to the
// same number of clients, timed from its HTTP answer.
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import { HttpClient, summarize } from '../lib/load.js';
import { compare, statsRow, type BenchContext } from '../lib/context.js';
import { fakeWamid, prng } from '../lib/ids.js';
import { phoneOf, recentCount } from '../lib/seed.js';
import { textWebhook, webhookHeaders } from '../lib/webhooks.js';

interface Crowd {
  sockets: Socket[];
  /** Resolves when every client has seen `id`; the value is when the last one did. */
  all(id: string, timeoutMs: number): Promise<number>;
  close(): void;
}

async function crowd(
  url: string,
  count: number,
  auth: (i: number) => Record<string, string>,
  idOf: (payload: any) => string | undefined,
): Promise<Crowd> {
  const waiting = new Map<string, { left: number; resolve: (at: number) => void }>();
  const early = new Map<string, number>();
  const sockets: Socket[] = [];
  const onEvent = (payload: unknown) => {
    const id = idOf(payload);
    if (!id) return;
    const w = waiting.get(id);
    if (!w) {
      early.set(id, (early.get(id) ?? 0) + 1);
      return;
    }
    if (--w.left === 0) {
      waiting.delete(id);
      w.resolve(performance.now());
    }
  };
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const s = connect(url, { auth: auth(i), transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
          s.on('message.created', onEvent);
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
          sockets.push(s);
        }),
    ),
  );
  return {
    sockets,
    all(id, timeoutMs) {
      return new Promise((resolve, reject) => {
        const seen = early.get(id) ?? 0;
        early.delete(id);
        if (seen >= count) return resolve(performance.now());
        const timer = setTimeout(() => {
          const left = waiting.get(id)?.left ?? 0;
          waiting.delete(id);
          reject(new Error(`only ${count - left} of ${count} clients got ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          left: count - seen,
          resolve: (at) => {
            clearTimeout(timer);
            resolve(at);
          },
        });
      });
    },
    close() {
      for (const s of sockets) s.close();
    },
  };
}

// Unique per run, so a reused data dir (--data-dir) never sees a redelivery of an earlier run's message.
const RUN = Date.now().toString(36);

export async function fanoutScenario(ctx: BenchContext): Promise<void> {
  const { tenant, sizes, corpus } = ctx;
  const { clients, messages } = sizes.fanout;
  const rand = prng(77);

  // Baseline: bare Socket.IO. The payload is a real message.created payload's size (about 2 KB).
  const base = await ctx.startBaseline(false);
  const baseHttp = new HttpClient(base.url, 2);
  const baseCrowd = await crowd(
    base.url,
    clients,
    () => ({}),
    (p) => (p as { message?: { externalId?: string } })?.message?.externalId,
  );
  const filler = 'x'.repeat(1800);
  const baseLat: number[] = [];
  const baseStart = performance.now();
  for (let j = 0; j < messages + 5; j++) {
    const id = `base-${j}`;
    const waiting = baseCrowd.all(id, 10_000);
    await baseHttp.request('POST', '/emit', JSON.stringify({ message: { externalId: id, text: filler } }), {
      'content-type': 'application/json',
    });
    const acked = performance.now();
    const at = await waiting;
    if (j >= 5) baseLat.push(Math.max(0, at - acked));
  }
  const baseStats = summarize(baseLat, performance.now() - baseStart);
  baseCrowd.close();
  baseHttp.close();
  await base.stop();
  const baseRow = ctx.record(
    statsRow('fanout', `baseline: bare Socket.IO emit to ${clients} clients`, 'baseline', baseStats, { throughput: undefined }),
  );

  const server = await ctx.startAppliance('fanout');
  const http = new HttpClient(server.url, 2);
  const users = tenant.users;
  const appCrowd = await crowd(
    server.url,
    clients,
    (i) => ({ token: users[i % users.length].token }),
    (p) => (p as { message?: { externalId?: string } })?.message?.externalId,
  );
  const C = sizes.conversations;
  const recent = recentCount(C);
  const lat: number[] = [];
  const started = performance.now();
  for (let j = 0; j < messages + 5; j++) {
    const who = C - recent + Math.floor(rand() * recent);
    const hook = textWebhook(
      tenant.phoneNumberId,
      tenant.appSecret,
      phoneOf(who),
      fakeWamid(`FAN${RUN}`, j),
      corpus.sentence(rand, 2, 16),
      who,
    );
    const waiting = appCrowd.all(hook.wamid, 10_000);
    const res = await http.request('POST', '/api/v1/webhooks/meta', hook.body, webhookHeaders(hook));
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    const acked = performance.now();
    const at = await waiting;
    if (j >= 5) lat.push(Math.max(0, at - acked));
    await new Promise((r) => setTimeout(r, 10));
  }
  const stats = summarize(lat, performance.now() - started);
  appCrowd.close();
  http.close();
  await server.stop();
  ctx.record(
    compare(
      statsRow('fanout', `webhook acknowledged → all ${clients} clients have message.created`, 'appliance', stats, {
        throughput: undefined,
        target: 'p99 < 150 ms',
        met: stats.p99 < 150,
        note: `${messages} webhooks, one at a time`,
      }),
      baseRow,
    ),
  );
}
