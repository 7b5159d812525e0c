// Announces the appliance on the LAN by multicast DNS, so agents can type
// http://omnistream.local:3000/ instead of an IP address: answers A/AAAA queries for
// omnistream.local and advertises an _http._tcp service (for Bonjour/Avahi browsers).
import type makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';
import { lazy } from '../core/lazy.js';

/** multicast-dns, imported when the announcement starts (it is off when the server listens on loopback only). */
const loadMulticastDns = lazy(async () => (await import('multicast-dns')).default);

export interface MdnsOptions {
  /** Host label, without .local (default "omnistream"). */
  hostname?: string;
  /** Service instance name shown by service browsers (default "OmniStream"). */
  serviceName?: string;
  port: number;
  /** The addresses to answer with, read at each answer (they change with the network). */
  addresses(): { address: string; family: 'IPv4' | 'IPv6' }[];
  /** multicast-dns socket options (tests bind to loopback in their own network namespace). */
  socket?: makeMdns.Options;
  onError?(err: Error): void;
}

const TTL = 120;

export class MdnsAnnouncer {
  private mdns: makeMdns.MulticastDNS | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** Bumped by stop(), so a start still importing multicast-dns does not open a socket after it. */
  private generation = 0;
  readonly host: string;
  private readonly service: string;
  private readonly serviceType = '_http._tcp.local';

  constructor(private readonly options: MdnsOptions) {
    this.host = `${options.hostname ?? 'omnistream'}.local`;
    this.service = `${options.serviceName ?? 'OmniStream'}.${this.serviceType}`;
  }

  get active(): boolean {
    return this.mdns !== undefined;
  }

  /** The records for our names; ttl 0 says goodbye. */
  records(ttl = TTL): Answer[] {
    const addresses = this.options.addresses();
    return [
      ...addresses.map(
        (a): Answer =>
          a.family === 'IPv4'
            ? { name: this.host, type: 'A', ttl, flush: true, data: a.address }
            : { name: this.host, type: 'AAAA', ttl, flush: true, data: a.address },
      ),
      { name: this.serviceType, type: 'PTR', ttl, data: this.service },
      { name: this.service, type: 'SRV', ttl, flush: true, data: { port: this.options.port, target: this.host, priority: 0, weight: 0 } },
      { name: this.service, type: 'TXT', ttl, flush: true, data: ['path=/'] },
    ];
  }

  /** The answers to one question (name compared without case, as DNS does). */
  answer(name: string, type: string): Answer[] {
    const lower = name.toLowerCase();
    return this.records().filter((r) => r.name.toLowerCase() === lower && (type === 'ANY' || r.type === type));
  }

  async start(): Promise<void> {
    const generation = this.generation;
    const makeMdns = await loadMulticastDns();
    if (generation !== this.generation) return;
    const mdns = makeMdns(this.options.socket);
    this.mdns = mdns;
    mdns.on('warning', () => undefined);
    mdns.on('query', (query) => {
      const answers: Answer[] = [];
      for (const q of query.questions ?? []) answers.push(...this.answer(q.name, q.type));
      if (answers.length === 0) return;
      // With a PTR or SRV answer, the records the asker needs next travel along (RFC 6763 §12).
      const all = this.records();
      const extra = [
        ...(answers.some((a) => a.type === 'PTR') ? all.filter((r) => r.name === this.service) : []),
        ...(answers.some((a) => a.type === 'PTR' || a.type === 'SRV') ? all.filter((r) => r.name === this.host) : []),
      ];
      const additionals = extra.filter((r) => !answers.some((a) => a.name === r.name && a.type === r.type));
      mdns.respond({ answers, additionals }, (err: Error | null) => {
        if (err) this.options.onError?.(err);
      });
    });
    return new Promise((resolve, reject) => {
      mdns.once('error', (err: Error) => {
        this.mdns = undefined;
        mdns.destroy();
        reject(err);
      });
      mdns.once('ready', () => {
        mdns.on('error', (err: Error) => this.options.onError?.(err));
        // Unsolicited announcements (RFC 6762 §8.3): now and again a second later.
        const announce = () =>
          mdns.respond({ answers: this.records() }, (err: Error | null) => {
            if (err) this.options.onError?.(err);
          });
        announce();
        this.timers.push(setTimeout(announce, 1000));
        resolve();
      });
    });
  }

  /** Says goodbye (records with TTL 0) so caches forget us, then closes the socket. */
  async stop(): Promise<void> {
    this.generation++;
    const mdns = this.mdns;
    if (!mdns) return;
    this.mdns = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await new Promise<void>((resolve) => mdns.respond({ answers: this.records(0) }, () => resolve()));
    await new Promise<void>((resolve) => mdns.destroy(() => resolve()));
  }
}
