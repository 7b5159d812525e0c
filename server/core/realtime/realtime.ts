// Realtime push over Socket.IO on the API's port: authenticated like the API, one room per tenant
// (and per user). Committed domain events from the outbox are relayed to the tenant's clients.
import type { Server as HttpServer } from 'node:http';
import { Server as SocketServer, type Socket } from 'socket.io';
import { parse as parseCookies } from 'cookie';
import type { Logger } from 'pino';
import { SESSIONS_REVOKED_EVENT, type Authenticator } from '../auth/authenticate.js';
import { TENANT_COOKIE } from '../auth/tokens.js';
import type { EventBus } from '../events/outbox.js';
import type { TenantPrincipal } from '../context.js';
import { HttpError } from '../http/errors.js';

export const tenantRoom = (tenantId: string) => `tenant:${tenantId}`;
export const userRoom = (userId: string) => `user:${userId}`;

/** Decides who may see a conversation's events (divisions): supplied by the domain. */
export interface ConversationVisibility {
  /** What the person may see; null means everything in the tenant. */
  scopeFor(principal: TenantPrincipal): Promise<unknown>;
  /** The conversation an event is about, by id, with what visibility depends on. */
  lookup(tenantId: string, conversationId: string): Promise<{ divisionId: string | null; assigneeId: string | null } | null>;
  canSee(scope: unknown, conversation: { divisionId: string | null; assigneeId: string | null }): boolean;
  /** Domain events after which what people may see has changed (division membership): scopes are recomputed. */
  scopeChangingEvents: string[];
}

/** One connected person, as a socket handler sees them. */
export interface SocketClient {
  principal: TenantPrincipal;
  /** Whether this person may see the conversation (false when it does not exist in their tenant). */
  canSee(conversationId: string): Promise<boolean>;
  /** Sends an event to the rest of the tenant, under the same visibility rule as domain events. */
  relay(type: string, payload: Record<string, unknown>, options?: { exceptSelf?: boolean }): Promise<void>;
}

/** Handles one kind of message a browser sends (e.g. `typing`). */
export type SocketHandler = (data: unknown, client: SocketClient) => void | Promise<void>;

export interface RealtimeOptions {
  /** Domain events relayed to browsers (from the modules' manifests). */
  pushedEvents: string[];
  /**
   * Browser origins besides the server's own (same host and port) that may connect with
   * credentials: ALLOWED_ORIGINS and the public URL. Any other Origin is refused.
   */
  allowedOrigins?: () => string[];
  visibility?: ConversationVisibility;
  sockets?: Record<string, SocketHandler>;
}

/** The conversation an event payload concerns, if any. */
function conversationOf(
  payload: Record<string, any>,
): { id: string; known?: { divisionId: string | null; assigneeId: string | null } } | null {
  const c = payload.conversation;
  if (c?.id) return { id: c.id, known: { divisionId: c.divisionId ?? null, assigneeId: c.assignee?.id ?? null } };
  const id = payload.message?.conversationId ?? payload.note?.conversationId ?? payload.conversationId;
  return typeof id === 'string' ? { id } : null;
}

/**
 * Whether a browser at `origin` may open a realtime session here: no Origin (not a browser page),
 * the same host and port as the request (the UI this server serves: localhost, a LAN address,
 * omnistream.local, the tunnel's host), or an origin in `allowed`.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host && url.host.toLowerCase() === host.trim().toLowerCase()) return true;
  return allowed.some((a) => a.toLowerCase().replace(/\/+$/, '') === url.origin.toLowerCase());
}

export class Realtime {
  private io: SocketServer | undefined;

  private readonly visibility: ConversationVisibility | undefined;
  private readonly sockets: Record<string, SocketHandler>;
  private readonly allowedOrigins: () => string[];

  constructor(
    private readonly auth: Authenticator,
    private readonly log: Logger,
    events: EventBus,
    options: RealtimeOptions,
  ) {
    this.visibility = options.visibility;
    this.allowedOrigins = options.allowedOrigins ?? (() => []);
    this.sockets = options.sockets ?? {};
    for (const type of new Set(options.pushedEvents)) {
      events.on(type, (event) => (event.tenantId ? this.relay(event.tenantId, type, event.payload) : undefined));
    }
    // Division membership changed: recompute what each of the tenant's sockets may see.
    for (const type of this.visibility?.scopeChangingEvents ?? []) {
      events.on(type, async (event) => {
        if (!event.tenantId || !this.io || !this.visibility) return;
        for (const socket of await this.io.in(tenantRoom(event.tenantId)).fetchSockets()) {
          socket.data.scope = await this.visibility.scopeFor(socket.data.principal as TenantPrincipal);
        }
      });
    }
    // Sessions were revoked (logout, password change, suspension, role change, API key revoked):
    // re-check each of that person's open sockets and disconnect the ones that no longer hold.
    events.on(SESSIONS_REVOKED_EVENT, async (event) => {
      const userId = event.payload?.userId;
      if (!this.io || typeof userId !== 'string') return;
      for (const socket of await this.io.in(userRoom(userId)).fetchSockets()) {
        const live = this.io.sockets.sockets.get(socket.id);
        if (live) await this.recheck(live);
      }
    });
    // An event meant for one person (a transfer to them, an assignment) carries notifyUserId:
    // they also get it as a `notification` in their own room.
    events.on('*', (event) => {
      const userId = event.payload?.notifyUserId;
      if (event.tenantId && typeof userId === 'string')
        this.io?.to(userRoom(userId)).emit('notification', { type: event.type, ...event.payload });
    });
  }

  /** Conversation events go only to the people who may see that conversation; others to the whole tenant. */
  private async relay(
    tenantId: string,
    type: string,
    payload: Record<string, unknown>,
    options: { exceptSocketId?: string; fromClient?: boolean } = {},
  ): Promise<void> {
    if (!this.io) return;
    const about = this.visibility ? conversationOf(payload) : null;
    if (!about || !this.visibility) {
      const room = this.io.to(tenantRoom(tenantId));
      (options.exceptSocketId ? room.except(options.exceptSocketId) : room).emit(type, payload);
      return;
    }
    const sockets = await this.io.in(tenantRoom(tenantId)).fetchSockets();
    // Nobody of the organization is connected (replies and automation at night): nothing to look up.
    if (sockets.length === 0) return;
    const conversation = about.known ?? (await this.visibility.lookup(tenantId, about.id));
    // What a browser sends about a conversation that does not exist goes nowhere.
    if (!conversation && options.fromClient) return;
    for (const socket of sockets) {
      if (socket.id === options.exceptSocketId) continue;
      if (!conversation || this.visibility.canSee(socket.data.scope ?? null, conversation)) socket.emit(type, payload);
    }
  }

  /**
   * Authenticates the socket's credentials again (cached, so cheap): true when they still hold, with
   * the principal refreshed; otherwise the socket is told why and disconnected.
   */
  private async recheck(socket: Socket): Promise<boolean> {
    try {
      const principal = await this.auth.fromCredentials(socket.data.credentials, 'tenant');
      if (principal?.kind === 'user' && principal.userId === (socket.data.principal as TenantPrincipal).userId) {
        socket.data.principal = principal;
        return true;
      }
    } catch (err) {
      if (!(err instanceof HttpError)) this.log.warn({ err }, 'socket re-authentication failed');
    }
    socket.emit('session_ended', { reason: 'Your session has ended; please log in again' });
    socket.disconnect(true);
    return false;
  }

  /** The handle a socket handler gets for the person on this socket. */
  private client(socket: Socket): SocketClient {
    return {
      get principal() {
        return socket.data.principal as TenantPrincipal;
      },
      canSee: async (conversationId) => {
        if (!this.visibility) return true;
        const principal = socket.data.principal as TenantPrincipal;
        const conversation = await this.visibility.lookup(principal.tenantId, conversationId);
        return conversation !== null && this.visibility.canSee(socket.data.scope ?? null, conversation);
      },
      relay: (type, payload, options = {}) =>
        this.relay((socket.data.principal as TenantPrincipal).tenantId, type, payload, {
          fromClient: true,
          exceptSocketId: options.exceptSelf ? socket.id : undefined,
        }),
    };
  }

  attach(server: HttpServer): void {
    const allowed = () => this.allowedOrigins();
    const io = new SocketServer(server, {
      serveClient: false,
      // A page elsewhere must not open a session with the cookie (cross-site WebSocket hijacking):
      // the handshake (polling and WebSocket alike) is refused unless its Origin is this server's own
      // or one the operator allowed; only those get CORS headers.
      allowRequest: (req, callback) => {
        const host = req.headers['x-forwarded-host'] ?? req.headers.host;
        callback(null, originAllowed(req.headers.origin, Array.isArray(host) ? host[0] : host, allowed()));
      },
      cors: {
        origin: (origin, callback) => callback(null, origin ? allowed().includes(origin.toLowerCase().replace(/\/+$/, '')) : false),
        credentials: true,
      },
    });
    io.use(async (socket, next) => {
      try {
        const handshake = socket.handshake;
        const cookies = parseCookies(handshake.headers.cookie ?? '');
        const credentials = {
          bearer: typeof handshake.auth?.token === 'string' ? handshake.auth.token : undefined,
          apiKey: typeof handshake.auth?.apiKey === 'string' ? handshake.auth.apiKey : undefined,
          cookie: cookies[TENANT_COOKIE],
        };
        const principal = await this.auth.fromCredentials(credentials, 'tenant');
        if (principal?.kind !== 'user') return next(new Error('unauthorized'));
        // Kept to check them again on every event the browser sends and when sessions are revoked.
        socket.data.credentials = credentials;
        socket.data.principal = principal;
        socket.data.scope = this.visibility ? await this.visibility.scopeFor(principal) : null;
        next();
      } catch (err) {
        next(new Error(err instanceof HttpError ? err.message : 'unauthorized'));
      }
    });
    io.on('connection', (socket: Socket) => {
      const p = socket.data.principal as TenantPrincipal;
      void socket.join([tenantRoom(p.tenantId), userRoom(p.userId)]);
      const client = this.client(socket);
      for (const [name, handler] of Object.entries(this.sockets)) {
        socket.on(name, (data: unknown) => {
          // Every event is authenticated again: a revoked session, a suspended person or a
          // revoked API key sends nothing more (and is disconnected).
          this.recheck(socket)
            .then((ok) => (ok ? handler(data, client) : undefined))
            .catch((err) => this.log.warn({ err, event: name }, 'socket handler failed'));
        });
      }
    });
    this.io = io;
    this.log.debug('realtime attached');
  }

  /** Disconnects every client; the HTTP server itself is closed by its owner. */
  close(): void {
    this.io?.disconnectSockets(true);
    this.io?.engine.close();
    this.io = undefined;
  }
}
