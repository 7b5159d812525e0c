// The chat-expiration module: Closing idle conversations per channel.
import { defineModule } from '../../core/module.js';
import { ChatExpirationRuleEntity } from './chat-expiration.entity.js';
import { chatExpirationRoutes } from './chat-expiration.routes.js';
import { chatExpirationJobs } from './chat-expiration.jobs.js';

export const chatExpirationModule = defineModule({
  name: 'chat-expiration',
  entities: [ChatExpirationRuleEntity],
  routes: () => chatExpirationRoutes,
  jobs: chatExpirationJobs,
});
