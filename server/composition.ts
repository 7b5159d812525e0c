// The composition root (DESIGN rule 11): every module of the server, in catalogue order. A new
// module is one folder under server/modules/ with a `<name>.module.ts` manifest, and one line here;
// app.ts assembles routes, entities, migrations, jobs, events and sockets from this list.
import type { EntitySchema, MigrationInterface } from 'typeorm';
import type { ModuleManifest } from './core/module.js';
import { coreModule } from './core/core.module.js';
import { baselineMigrations } from './db/migrations/index.js';
import { platformModule } from './platform/platform.module.js';
import { VERSION } from './version.js';
import { authModule } from './modules/auth/auth.module.js';
import { sessionsModule } from './modules/sessions/sessions.module.js';
import { tenantsModule } from './modules/tenants/tenants.module.js';
import { agentsModule } from './modules/agents/agents.module.js';
import { activityLogsModule } from './modules/activity-logs/activity-logs.module.js';
import { rolesModule } from './modules/roles/roles.module.js';
import { apiKeysModule } from './modules/api-keys/api-keys.module.js';
import { healthModule } from './modules/health/health.module.js';
import { superAdminModule } from './modules/super-admin/super-admin.module.js';
import { conversationsModule } from './modules/conversations/conversations.module.js';
import { messagesModule } from './modules/messages/messages.module.js';
import { contactsModule } from './modules/contacts/contacts.module.js';
import { notesModule } from './modules/notes/notes.module.js';
import { mediaModule } from './modules/media/media.module.js';
import { divisionsModule } from './modules/divisions/divisions.module.js';
import { transfersModule } from './modules/transfers/transfers.module.js';
import { slaModule } from './modules/sla/sla.module.js';
import { chatExpirationModule } from './modules/chat-expiration/chat-expiration.module.js';
import { workingHoursModule } from './modules/working-hours/working-hours.module.js';
import { quickRepliesModule } from './modules/quick-replies/quick-replies.module.js';
import { scheduledMessagesModule } from './modules/scheduled-messages/scheduled-messages.module.js';
import { csatModule } from './modules/csat/csat.module.js';
import { integrationsModule } from './modules/integrations/integrations.module.js';
import { webhooksModule } from './modules/webhooks/webhooks.module.js';
import { outgoingWebhooksModule } from './modules/outgoing-webhooks/outgoing-webhooks.module.js';
import { campaignsModule } from './modules/campaigns/campaigns.module.js';
import { waTemplatesModule } from './modules/wa-templates/wa-templates.module.js';
import { emailImapModule } from './modules/email-imap/imap.module.js';
import { analyticsModule } from './modules/analytics/analytics.module.js';
import { billingModule } from './modules/billing/billing.module.js';
import { automationModule } from './modules/automation/automation.module.js';
import { aiAgentsModule } from './modules/ai-agents/ai-agents.module.js';

/** The domain modules, in the order their routes are mounted (and listed in the API document). */
export const domainModules: ModuleManifest[] = [
  authModule,
  sessionsModule,
  tenantsModule,
  agentsModule,
  activityLogsModule,
  rolesModule,
  apiKeysModule,
  healthModule,
  superAdminModule,
  conversationsModule,
  messagesModule,
  contactsModule,
  notesModule,
  mediaModule,
  divisionsModule,
  transfersModule,
  slaModule,
  chatExpirationModule,
  workingHoursModule,
  quickRepliesModule,
  scheduledMessagesModule,
  csatModule,
  outgoingWebhooksModule,
  campaignsModule,
  integrationsModule,
  waTemplatesModule,
  webhooksModule,
  emailImapModule,
  analyticsModule,
  billingModule,
  automationModule,
  aiAgentsModule,
];

/** Every migration, in timestamp order: the baseline schema (server/db/migrations) and each module's own. */
export const migrations = [...baselineMigrations, ...domainModules.flatMap((m) => m.migrations ?? [])].sort(
  (a, b) => migrationTimestamp(a) - migrationTimestamp(b),
);

// TypeORM reads a migration's name from its `name` property (class names do not survive bundling).
function migrationName(M: new () => MigrationInterface): string {
  return new M().name ?? M.name;
}

function migrationTimestamp(M: new () => MigrationInterface): number {
  const match = /(\d{13})$/.exec(migrationName(M));
  if (!match) throw new Error(`Migration ${migrationName(M)} must end in a 13-digit timestamp`);
  return Number(match[1]);
}

/** Names of every migration this build knows (a backup whose database has others is from a newer version). */
export const knownMigrations: readonly string[] = migrations.map(migrationName);

/** Every module the server assembles: core's own tables and housekeeping, the domain, and the platform around it. */
export const modules: ModuleManifest[] = [coreModule, ...domainModules, platformModule({ version: VERSION, knownMigrations })];

export const entities: EntitySchema<any>[] = modules.flatMap((m) => m.entities ?? []);
