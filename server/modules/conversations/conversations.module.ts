// The conversations module: Conversations: the inbox list, assignment, status, tags, takeover; typing indicators.
import { defineModule } from '../../core/module.js';
import { ConversationEntity } from './conversation.entity.js';
import { conversationRoutes } from './conversations.routes.js';
import { conversationSockets } from './conversations.sockets.js';
import { ConversationAccountIndexDropped1733700000000, ConversationContactIndex1733630000000 } from './conversations.migration.js';

export const conversationsModule = defineModule({
  name: 'conversations',
  entities: [ConversationEntity],
  migrations: [ConversationContactIndex1733630000000, ConversationAccountIndexDropped1733700000000],
  routes: () => conversationRoutes,
  pushedEvents: [
    'conversation.created',
    'conversation.updated',
    'conversation.assigned',
    'conversation.status_changed',
    'conversation.takeover',
  ],
  sockets: conversationSockets,
});
