// The messages module: Messages: sending with durable ordered delivery, inbound ingestion, statuses, search.
import { defineModule } from '../../core/module.js';
import { MessageEntity } from './message.entity.js';
import { messageRoutes } from './messages.routes.js';
import { messageJobs } from './messages.jobs.js';

export const messagesModule = defineModule({
  name: 'messages',
  entities: [MessageEntity],
  routes: () => messageRoutes,
  jobs: messageJobs,
  pushedEvents: ['message.created', 'message.updated'],
});
