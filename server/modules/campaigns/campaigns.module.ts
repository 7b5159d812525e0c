// The campaigns module: WhatsApp broadcast campaigns (recipients, send or schedule, per-recipient
// statuses, cancel), rate-limited durable sends, reply attribution and opt-out keywords.
import { defineModule } from '../../core/module.js';
import { CampaignEntity, CampaignRecipientEntity } from './campaign.entity.js';
import { Campaigns1733210000000 } from './campaigns.migration.js';
import { campaignRoutes } from './campaigns.routes.js';
import { campaignEvents, campaignJobs } from './campaigns.service.js';

export const campaignsModule = defineModule({
  name: 'campaigns',
  entities: [CampaignEntity, CampaignRecipientEntity],
  migrations: [Campaigns1733210000000],
  routes: () => campaignRoutes,
  jobs: campaignJobs,
  events: campaignEvents,
  pushedEvents: ['campaign.updated', 'campaign.progress', 'campaign.finished'],
});
