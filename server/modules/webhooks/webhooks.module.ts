// The webhooks module: Inbound webhooks (Meta, email): stored before acknowledged, verified, processed idempotently.
import { defineModule } from '../../core/module.js';
import { WebhookEventEntity } from './webhook-event.entity.js';
import { webhookRoutes } from './webhooks.routes.js';
import { webhookJobs } from './webhooks.service.js';
import { webhookBurst } from './webhook-store.js';

export const webhooksModule = defineModule({
  name: 'webhooks',
  entities: [WebhookEventEntity],
  routes: () => webhookRoutes,
  jobs: webhookJobs,
  // A burst of webhooks is one long queue of short database work: up to 50 of them per commit (up to
  // 400 draining a backlog while nobody uses the appliance: JobTypeOptions.quietBatch). Redoable:
  // processing derives rows from the stored webhook, and replies or actions it starts are jobs.
  jobOptions: { 'webhook.process': { batch: 50, quietBatch: 400, redoable: true } },
  provides: (services) => ({ holdJobsWhile: () => webhookBurst(services.db) }),
});
