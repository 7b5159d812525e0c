// The analytics module: an organization's dashboard numbers (overview, trends, agents, channels,
// CSAT, WhatsApp messages, conversations and templates), computed from its own rows; and the
// WhatsApp pricing of each message, kept when its statuses are applied.
import { defineModule } from '../../core/module.js';
import { WhatsappPricingEntity } from './whatsapp-pricing.entity.js';
import { Analytics1733500000000 } from './analytics.migration.js';
import { AnalyticsFirstReply1733640000000 } from './first-reply.migration.js';
import { firstReplyOnEmit } from './first-reply.js';
import { analyticsRoutes } from './analytics.routes.js';

export const analyticsModule = defineModule({
  name: 'analytics',
  entities: [WhatsappPricingEntity],
  migrations: [Analytics1733500000000, AnalyticsFirstReply1733640000000],
  // Each conversation's first reply, kept in the transaction that writes the message.
  onEmit: () => firstReplyOnEmit(),
  routes: () => analyticsRoutes,
});
