// What the public tunnel reaches. A tunnel (cloudflared, ngrok) forwards the internet to a port on
// this PC; it targets this second listener, on loopback only, which serves only what Meta and
// customers need: the webhooks, /health, the CSAT rating page and its API, the public
// working-hours status and the tunnel test's echo. Everything else answers 404 unless the operator
// chose to expose the whole web UI and API (an appliance setting, off by default). Requests that
// came this way are marked, so the desktop operator key is never accepted from them.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { markPublicIngress } from '../core/auth/operator.js';

const PUBLIC_PATHS: RegExp[] = [
  /^\/health$/,
  /^\/api\/v1\/webhooks\/[a-z]+$/,
  /^\/csat\/[A-Za-z0-9._-]+$/,
  /^\/api\/v1\/csat\/(?!analytics$|settings$)[A-Za-z0-9._-]+$/,
  /^\/api\/v1\/public\/[A-Za-z0-9/._-]+$/,
  /^\/api\/v1\/appliance\/tunnel\/echo\/[0-9a-f]+$/,
];

/**
 * Whether a request target may pass the tunnel by default. The path must already be in normal form
 * (no dot segments, no encoded slashes or dots), so no spelling of another path can slip through.
 */
export function isPublicPath(target: string | undefined): boolean {
  if (!target?.startsWith('/')) return false;
  const raw = target.split('?')[0];
  if (/%2f|%5c|%2e|\\/i.test(raw)) return false;
  let normal: string;
  try {
    normal = new URL(raw, 'http://tunnel.invalid').pathname;
  } catch {
    return false;
  }
  if (normal !== raw) return false;
  return PUBLIC_PATHS.some((p) => p.test(normal));
}

function refuse(res: ServerResponse): void {
  const body = JSON.stringify({
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'Not available through the public tunnel',
  });
  res.writeHead(404, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

export interface PublicListener {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the tunnel's listener on 127.0.0.1 (`port`, 0 for any free one). `exposeEverything` is
 * asked on every request, so changing the setting takes effect at once.
 */
export async function startPublicListener(options: {
  port: number;
  handler: RequestListener;
  /** The main server: WebSocket upgrades (Socket.IO) are handed to it when everything is exposed. */
  main: Server;
  exposeEverything: () => boolean;
}): Promise<PublicListener> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    markPublicIngress(req);
    if (options.exposeEverything() || isPublicPath(req.url)) return options.handler(req, res);
    refuse(res);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    markPublicIngress(req);
    if (options.exposeEverything()) options.main.emit('upgrade', req, socket, head);
    else socket.destroy();
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
