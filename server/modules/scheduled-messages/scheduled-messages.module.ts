// The scheduled-messages module: Messages scheduled for later, on the organization's clock.
import { defineModule } from '../../core/module.js';
import { ScheduledMessageEntity } from './scheduled-message.entity.js';
import { scheduledMessageRoutes } from './scheduled-messages.routes.js';
import { scheduledMessageJobs } from './scheduled-messages.service.js';

export const scheduledMessagesModule = defineModule({
  name: 'scheduled-messages',
  entities: [ScheduledMessageEntity],
  routes: () => scheduledMessageRoutes,
  jobs: scheduledMessageJobs,
});
