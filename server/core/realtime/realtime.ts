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
  'message.created',
  'message.updated',
  'conversation.created',
  'conversation.updated',
  'conversation.assigned',
  'conversation.status_changed',
  'conversation.takeover',
  'note.created',
  'note.updated',
  'note.deleted',
  'agent.status_changed',
  'contact.updated',
  'conversation.transferred',
  'sla.updated',
  'sla.breached',
  'csat.answered',
];

export const tenantRoom = (tenantId: string) => `tenant:${tenantId}`;
export const userRoom = (userId: string) => `user:${userId}`;

/** Decides who may see a conversation's events (divisions): supplied by the domain. */
export interface ConversationVisibility {
  /** What the person may see; null means everything in the tenant. */
  scopeFor(principal: TenantPrincipal): Promise<unknown>;
  /** The conversation an event is about, by id, with what visibility depends on. */
  lookup(tenantId: string, conversationId: string): Promise<{ divisionId: string | null; assigneeId: string | null } | null>;
  canSee(scope: unknown, conversation: { divisionId: string | null; assigneeId: string | null }): boolean;
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

export class Realtime {
  private io: SocketServer | undefined;

  constructor(
    private readonly auth: Authenticator,
    private readonly log: Logger,
    events: EventBus,
    private readonly visibility?: ConversationVisibility,
  ) {
    for (const type of PUSHED_EVENTS) {
      events.on(type, (event) => (event.tenantId ? this.relay(event.tenantId, type, event.payload) : undefined));
    }
    // Division membership changed: recompute what each of the tenant's sockets may see.
    for (const type of ['division.updated', 'division.deleted']) {
      events.on(type, async (event) => {
        if (!event.tenantId || !this.io || !this.visibility) return;
        for (const socket of await this.io.in(tenantRoom(event.tenantId)).fetchSockets()) {
          socket.data.scope = await this.visibility.scopeFor(socket.data.principal as TenantPrincipal);
        }
      });
    }
    // An event meant for one person (a transfer to them, an assignment) carries notifyUserId:
    // they also get it as a `notification` in their own room.
    events.on('*', (event) => {
      const userId = event.payload?.notifyUserId;
      if (event.tenantId && typeof userId === 'string')
        this.io?.to(userRoom(userId)).emit('notification', { type: event.type, ...event.payload });
    });
  }

  /** Conversation events go only to the people who may see that conversation; others to the whole tenant. */
  private async relay(tenantId: string, type: string, payload: Record<string, unknown>): Promise<void> {
    if (!this.io) return;
    const about = this.visibility ? conversationOf(payload) : null;
    if (!about || !this.visibility) {
      this.io.to(tenantRoom(tenantId)).emit(type, payload);
      return;
    }
    const conversation = about.known ?? (await this.visibility.lookup(tenantId, about.id));
    for (const socket of await this.io.in(tenantRoom(tenantId)).fetchSockets()) {
      if (!conversation || this.visibility.canSee(socket.data.scope ?? null, conversation)) socket.emit(type, payload);
    }
  }

  attach(server: HttpServer): void {
    const io = new SocketServer(server, { serveClient: false, cors: { origin: true, credentials: true } });
    io.use(async (socket, next) => {
      try {
        const handshake = socket.handshake;
        const cookies = parseCookies(handshake.headers.cookie ?? '');
        const principal = await this.auth.fromCredentials(
          {
            bearer: typeof handshake.auth?.token === 'string' ? handshake.auth.token : undefined,
            apiKey: typeof handshake.auth?.apiKey === 'string' ? handshake.auth.apiKey : undefined,
            cookie: cookies[TENANT_COOKIE],
          },
          'tenant',
        );
        if (principal?.kind !== 'user') return next(new Error('unauthorized'));
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
      // Typing indicators are ephemeral: relayed to the rest of the team, never stored.
      socket.on('typing', (data: { conversationId?: unknown; typing?: unknown }) => {
        if (typeof data?.conversationId !== 'string') return;
        socket
          .to(tenantRoom(p.tenantId))
          .emit('typing', { conversationId: data.conversationId, typing: data.typing !== false, user: { id: p.userId, name: p.name } });
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
