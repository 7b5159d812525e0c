// The one guard for every server-side fetch of a URL that came from outside (DESIGN rule 13):
// media links in webhook payloads, outgoing webhooks, model endpoints, web pages for knowledge,
// tunnel reachability, mail hosts. http(s) only; every resolved address must be public unless the
// operator allowed it (OUTBOUND_ALLOWED_HOSTS / OUTBOUND_ALLOW_PRIVATE); the connection goes to the
// address that was checked (no DNS rebinding between check and connect); redirects are followed by
// hand and checked again; bodies and time are capped.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';

export interface OutboundPolicy {
  /** Hosts, IPs or CIDR ranges allowed even when private (lower-case). */
  allowedHosts: readonly string[];
  /** Allow every private address. */
  allowPrivate: boolean;
}

export type OutboundRefusal = 'scheme' | 'address' | 'dns' | 'redirect' | 'too_large' | 'timeout' | 'network';

/** A fetch the guard refused or could not complete; `reason` says why in a word (for error codes). */
export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

export interface GuardedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Whole exchange, headers and body (default 15 s). */
  timeoutMs?: number;
  /** Largest body read (default 10 MB). */
  maxBytes?: number;
  /** Redirects followed, each checked again (default 3; 0 returns the 3xx itself). */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  headers: Headers;
  /** The URL that answered (after redirects). */
  url: string;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** Address kinds that are never "the internet". ipaddr.js names the IANA special-purpose ranges. */
const PUBLIC_RANGES = new Set(['unicast']);

function parseCidr(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    return entry.includes('/') ? ipaddr.parseCIDR(entry) : null;
  } catch {
    return null;
  }
}

export class OutboundGuard {
  private readonly cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  private readonly names: Set<string>;
  private readonly dispatcher: Agent;

  constructor(private readonly policy: OutboundPolicy) {
    this.cidrs = policy.allowedHosts.map(parseCidr).filter((c) => c !== null);
    this.names = new Set(policy.allowedHosts.filter((h) => !h.includes('/')));
    // Every connection resolves through the check: the socket goes to an address that passed it.
    this.dispatcher = new Agent({
      connect: {
        lookup: (hostname, options, callback) => {
          this.resolve(hostname).then(
            (addresses) => {
              const all = (options as { all?: boolean }).all;
              if (all) callback(null, addresses as never);
              else callback(null, addresses[0].address, addresses[0].family);
            },
            (err) => callback(err, '', 4),
          );
        },
      },
    });
  }

  /** Whether this address may be reached (public, or allowed by the operator) for `hostname`. */
  addressAllowed(address: string, hostname: string): boolean {
    if (this.policy.allowPrivate) return true;
    if (this.names.has(hostname.toLowerCase()) || this.names.has(address)) return true;
    let ip: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      ip = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
    } catch {
      return false;
    }
    if (this.cidrs.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits))) return true;
    return PUBLIC_RANGES.has(ip.range());
  }

  /** Resolves a host and checks every address; throws OutboundError('address') naming none of them. */
  async resolve(hostname: string): Promise<LookupAddress[]> {
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses: LookupAddress[] = isIP(host)
      ? [{ address: host, family: isIP(host) }]
      : await new Promise((resolve, reject) =>
          dnsLookup(host, { all: true, verbatim: true }, (err, list) =>
            err ? reject(new OutboundError('dns', `The host ${host} could not be resolved`)) : resolve(list),
          ),
        );
    if (addresses.length === 0) throw new OutboundError('dns', `The host ${host} could not be resolved`);
    for (const a of addresses) {
      if (!this.addressAllowed(a.address, host)) {
        throw new OutboundError('address', `${host} is a private, loopback or link-local address, which is not allowed here`);
      }
    }
    return addresses;
  }

  /** Checks a URL's scheme and host without fetching it (for clients that connect themselves: SMTP, IMAP). */
  async check(url: string | URL, schemes: readonly string[] = ['http:', 'https:']): Promise<URL> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundError('scheme', 'The address is not a valid URL');
    }
    if (!schemes.includes(parsed.protocol)) {
      throw new OutboundError('scheme', `Only ${schemes.map((s) => s.replace(':', '')).join(' or ')} addresses are allowed`);
    }
    await this.resolve(parsed.hostname);
    return parsed;
  }

  /** Fetches a URL from outside under the guard; the body is read whole (capped). */
  async fetch(url: string | URL, options: GuardedFetchOptions = {}): Promise<GuardedResponse> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let current = await this.check(url);
    let method = options.method ?? 'GET';
    let body = options.body;
    for (let hop = 0; ; hop++) {
      let res: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        res = await undiciFetch(current, {
          method,
          headers: options.headers,
          body,
          redirect: 'manual',
          signal,
          dispatcher: this.dispatcher,
        } as UndiciRequestInit);
      } catch (err) {
        throw this.networkError(err, timeoutMs);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && (options.maxRedirects ?? 3) > 0) {
        await res.body?.cancel();
        if (hop >= (options.maxRedirects ?? 3)) throw new OutboundError('redirect', 'Too many redirects');
        current = await this.check(new URL(location, current));
        // 303 (and 301/302 after a POST, as browsers do) continue as GET without a body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > maxBytes) {
        await res.body?.cancel();
        throw new OutboundError('too_large', `The response is larger than ${Math.round(maxBytes / 1024)} KB`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of res.body ?? []) {
          size += chunk.byteLength;
          if (size > maxBytes) throw new OutboundError('too_large', `The response is larger than ${Math.round(maxBytes / 1024)} KB`);
          chunks.push(Buffer.from(chunk));
        }
      } catch (err) {
        if (err instanceof OutboundError) throw err;
        throw this.networkError(err, timeoutMs);
      }
      const buffer = Buffer.concat(chunks);
      return {
        status: res.status,
        headers: res.headers as unknown as Headers,
        url: current.toString(),
        body: buffer,
        text: () => buffer.toString('utf8'),
        json: <T>() => JSON.parse(buffer.toString('utf8')) as T,
      };
    }
  }

  /**
   * A fetch-compatible function under the same guard (scheme, addresses, redirects, time), for
   * clients that take a `fetch` option (the OpenAI client). Bodies stream through unread.
   */
  fetchFunction(defaults: { timeoutMs?: number } = {}): typeof fetch {
    return (async (input: Request | string | URL, init: RequestInit = {}) => {
      const url = typeof input === 'string' || input instanceof URL ? input : input.url;
      let current = await this.check(url);
      const timeout = AbortSignal.timeout(defaults.timeoutMs ?? 60_000);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      for (let hop = 0; hop <= 3; hop++) {
        let res: Awaited<ReturnType<typeof undiciFetch>>;
        try {
          res = await undiciFetch(current, { ...(init as UndiciRequestInit), redirect: 'manual', signal, dispatcher: this.dispatcher });
        } catch (err) {
          throw this.networkError(err, defaults.timeoutMs ?? 60_000);
        }
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          await res.body?.cancel();
          current = await this.check(new URL(location, current));
          continue;
        }
        return res as unknown as Response;
      }
      throw new OutboundError('redirect', 'Too many redirects');
    }) as typeof fetch;
  }

  private networkError(err: unknown, timeoutMs: number): OutboundError {
    if (err instanceof OutboundError) return err;
    const cause = (err as { cause?: unknown })?.cause;
    if (cause instanceof OutboundError) return cause;
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return new OutboundError('timeout', `No answer within ${Math.round(timeoutMs / 1000)} s`);
    const code = (cause as { code?: string })?.code ?? (err as { code?: string })?.code;
    return new OutboundError('network', code ? `The connection failed (${code})` : 'The connection failed');
  }

  /** Closes the connection pool; closing again is a no-op (an appliance stopped twice, as in a failed restart). */
  async close(): Promise<void> {
    if (this.dispatcher.closed || this.dispatcher.destroyed) return;
    await this.dispatcher.close();
  }
}
