// The campaign and recipient statuses, shared by the entity and the routes.
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'completed', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const RECIPIENT_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'read', 'replied', 'failed', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
/** Built-in contact segments a campaign's recipients can be chosen by. */
export const SEGMENTS = ['all', 'active_30d', 'inactive_90d', 'new_30d'] as const;
export type Segment = (typeof SEGMENTS)[number];
