// Realtime push over Socket.IO on the API's port: authenticated like the API, one room per tenant
// (and per user). Committed domain events from the outbox are relayed to the tenant's clients.
import type { Server as HttpServer } from 'node:http';
import { Server as SocketServer, type Socket } from 'socket.io';
import { parse as parseCookies } from 'cookie';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import { TENANT_COOKIE } from '../auth/tokens.js';
import type { EventBus } from '../events/outbox.js';
import type { TenantPrincipal } from '../context.js';
import { HttpError } from '../http/errors.js';

/** Domain events that the inbox UI listens to. */
export const PUSHED_EVENTS = [
  'message.created', 'message.updated', 'conversation.created', 'conversation.updated', 'conversation.assigned',
  'conversation.status_changed', 'conversation.takeover', 'note.created', 'note.updated', 'note.deleted', 'agent.status_changed',
  'contact.updated', 'conversation.transferred', 'sla.updated', 'sla.breached', 'csat.answered',
];

export const tenantRoom = (tenantId: string) => `tenant:${tenantId}`;
export const userRoom = (userId: string) => `user:${userId}`;

export class Realtime {
  private io: SocketServer | undefined;

  constructor(private readonly auth: Authenticator, private readonly log: Logger, events: EventBus) {
    for (const type of PUSHED_EVENTS) {
      events.on(type, (event) => {
        if (event.tenantId) this.io?.to(tenantRoom(event.tenantId)).emit(type, event.payload);
      });
    }
    // An event meant for one person (a transfer to them, an assignment) carries notifyUserId:
    // they also get it as a `notification` in their own room.
    events.on('*', (event) => {
      const userId = event.payload?.notifyUserId;
      if (event.tenantId && typeof userId === 'string') this.io?.to(userRoom(userId)).emit('notification', { type: event.type, ...event.payload });
    });
  }

  attach(server: HttpServer): void {
    const io = new SocketServer(server, { serveClient: false, cors: { origin: true, credentials: true } });
    io.use(async (socket, next) => {
      try {
        const handshake = socket.handshake;
        const cookies = parseCookies(handshake.headers.cookie ?? '');
        const principal = await this.auth.fromCredentials({
          bearer: typeof handshake.auth?.token === 'string' ? handshake.auth.token : undefined,
          apiKey: typeof handshake.auth?.apiKey === 'string' ? handshake.auth.apiKey : undefined,
          cookie: cookies[TENANT_COOKIE],
        }, 'tenant');
        if (!principal || principal.kind !== 'user') return next(new Error('unauthorized'));
        socket.data.principal = principal;
        next();
      } catch (err) {
        next(new Error(err instanceof HttpError ? err.message : 'unauthorized'));
      }
    });
    io.on('connection', (socket: Socket) => {
      const p = socket.data.principal as TenantPrincipal;
      void socket.join([tenantRoom(p.tenantId), userRoom(p.userId)]);
      // Typing indicators are ephemeral: relayed to the rest of the team, never stored.
      socket.on('typing', (data: { conversationId?: unknown; typing?: unknown }) => {
        if (typeof data?.conversationId !== 'string') return;
        socket.to(tenantRoom(p.tenantId)).emit('typing', { conversationId: data.conversationId, typing: data.typing !== false, user: { id: p.userId, name: p.name } });
      });
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
