// Every module's routes, in catalogue order. Adding a module means adding it here.
import type { RequestHandler } from 'express';
import type { AnyRoute } from './core/http/registry.js';
import type { TokenService } from './core/auth/tokens.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { agentRoutes } from './modules/agents/agents.routes.js';
import { roleRoutes } from './modules/roles/roles.routes.js';
import { apiKeyRoutes } from './modules/api-keys/api-keys.routes.js';
import { activityLogRoutes } from './modules/activity-logs/activity-logs.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { superAdminRoutes } from './modules/super-admin/super-admin.routes.js';
import { mediaRoutes } from './modules/media/media.routes.js';
import { integrationRoutes } from './modules/integrations/integrations.routes.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { conversationRoutes } from './modules/conversations/conversations.routes.js';
import { messageRoutes } from './modules/messages/messages.routes.js';
import { contactRoutes } from './modules/contacts/contacts.routes.js';
import { noteRoutes } from './modules/notes/notes.routes.js';
import { applianceRoutes } from './modules/appliance/appliance.routes.js';
import { divisionRoutes } from './modules/divisions/divisions.routes.js';
import { transferRoutes } from './modules/transfers/transfers.routes.js';
import { slaRoutes } from './modules/sla/sla.routes.js';
import { chatExpirationRoutes } from './modules/chat-expiration/chat-expiration.routes.js';
import { workingHoursRoutes } from './modules/working-hours/working-hours.routes.js';
import { quickReplyRoutes } from './modules/quick-replies/quick-replies.routes.js';
import { scheduledMessageRoutes } from './modules/scheduled-messages/scheduled-messages.routes.js';
import { csatRoutes } from './modules/csat/csat.routes.js';

export interface RouteDeps {
  tokens: TokenService;
  authLimiter: RequestHandler;
  ttlSeconds: number;
  jobsRunning(): boolean;
  startedAt: number;
}

export function allRoutes(deps: RouteDeps): AnyRoute[] {
  return [
    ...authRoutes(deps.tokens, deps),
    ...agentRoutes,
    ...activityLogRoutes,
    ...roleRoutes,
    ...apiKeyRoutes,
    ...healthRoutes(deps.jobsRunning, deps.startedAt),
    ...superAdminRoutes(deps.tokens, deps),
    ...conversationRoutes,
    ...messageRoutes,
    ...contactRoutes,
    ...noteRoutes,
    ...mediaRoutes,
    ...divisionRoutes,
    ...transferRoutes,
    ...slaRoutes,
    ...chatExpirationRoutes,
    ...workingHoursRoutes,
    ...quickReplyRoutes,
    ...scheduledMessageRoutes,
    ...csatRoutes,
    ...integrationRoutes,
    ...webhookRoutes,
    ...applianceRoutes,
  ];
}
