// The outgoing-webhooks module: subscriptions to event types, signed deliveries through the durable
// queue with retries for 24 hours, delivery log, test events, auto-disable with a notice.
import { defineModule } from '../../core/module.js';
import { OutgoingWebhookDeliveryEntity, OutgoingWebhookEntity } from './outgoing-webhook.entity.js';
import { OutgoingWebhooks1733220000000 } from './outgoing-webhooks.migration.js';
import { outgoingWebhookRoutes } from './outgoing-webhooks.routes.js';
import { outgoingWebhookEvents, outgoingWebhookJobs } from './outgoing-webhooks.service.js';

export const outgoingWebhooksModule = defineModule({
  name: 'outgoing-webhooks',
  entities: [OutgoingWebhookEntity, OutgoingWebhookDeliveryEntity],
  migrations: [OutgoingWebhooks1733220000000],
  routes: () => outgoingWebhookRoutes,
  jobs: outgoingWebhookJobs,
  // Deliveries wait on the subscribers' servers (up to the timeout): a slow one must not hold up the rest.
  jobOptions: { 'outgoing-webhooks.deliver': { concurrency: 8 } },
  events: outgoingWebhookEvents,
  pushedEvents: ['outgoing_webhook.disabled'],
});
