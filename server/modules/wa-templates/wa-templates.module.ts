// The wa-templates module: WhatsApp message templates (sync from Meta, create and submit, header
// media, local delete), kept current by Meta's template webhooks.
import { defineModule } from '../../core/module.js';
import { WaTemplateEntity } from './wa-template.entity.js';
import { WaTemplates1733200000000 } from './wa-templates.migration.js';
import { waTemplateRoutes } from './wa-templates.routes.js';
import { waTemplateEvents, waTemplateJobs } from './wa-templates.service.js';

export const waTemplatesModule = defineModule({
  name: 'wa-templates',
  entities: [WaTemplateEntity],
  migrations: [WaTemplates1733200000000],
  routes: () => waTemplateRoutes,
  jobs: waTemplateJobs,
  events: waTemplateEvents,
  pushedEvents: ['wa_template.updated', 'wa_template.deleted'],
});
