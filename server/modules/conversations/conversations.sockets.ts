// What browsers send about conversations over Socket.IO. Typing indicators are ephemeral: relayed
// to the rest of the team who may see the conversation (divisions), never stored.
import type { Services } from '../../core/context.js';
import type { SocketHandler } from '../../core/realtime/realtime.js';

export function conversationSockets(_services: Services): Record<string, SocketHandler> {
  return {
    typing: async (data, client) => {
      const { conversationId, typing } = (data ?? {}) as { conversationId?: unknown; typing?: unknown };
      if (typeof conversationId !== 'string' || !(await client.canSee(conversationId))) return;
      const { userId, name } = client.principal;
      await client.relay('typing', { conversationId, typing: typing !== false, user: { id: userId, name } }, { exceptSelf: true });
    },
  };
}
