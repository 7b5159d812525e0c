import { TenantEntity } from '../modules/tenants/tenant.entity.js';
import { UserEntity } from '../modules/agents/agent.entity.js';
import { RoleEntity } from '../modules/roles/role.entity.js';
import { ApiKeyEntity } from '../modules/api-keys/api-key.entity.js';
import { ActivityLogEntity } from '../modules/activity-logs/activity-log.entity.js';
import { SuperAdminEntity } from '../modules/super-admin/super-admin.entity.js';
import { DomainEventEntity } from '../core/events/event.entity.js';
import { JobEntity } from '../core/jobs/job.entity.js';
import { IntegrationEntity, IntegrationAccountEntity } from '../modules/integrations/integration.entity.js';
import { ContactEntity, ContactIdentityEntity } from '../modules/contacts/contact.entity.js';
import { ConversationEntity } from '../modules/conversations/conversation.entity.js';
import { MessageEntity } from '../modules/messages/message.entity.js';
import { NoteEntity } from '../modules/notes/note.entity.js';
import { MediaEntity } from '../modules/media/media.entity.js';
import { WebhookEventEntity } from '../modules/webhooks/webhook-event.entity.js';
import { QuickReplyEntity, QuickReplyFavoriteEntity } from '../modules/quick-replies/quick-reply.entity.js';
import { ScheduledMessageEntity } from '../modules/scheduled-messages/scheduled-message.entity.js';
import { CsatSettingsEntity, CsatSurveyEntity } from '../modules/csat/csat.entity.js';
import { DivisionEntity, DivisionAgentEntity } from '../modules/divisions/division.entity.js';
import { ConversationTransferEntity } from '../modules/transfers/transfer.entity.js';
import { WorkingHoursEntity, OutOfHoursReplyLogEntity } from '../modules/working-hours/working-hours.entity.js';
import { SlaPolicyEntity, ConversationSlaEntity, SlaBreachEntity } from '../modules/sla/sla.entity.js';
import { ChatExpirationRuleEntity } from '../modules/chat-expiration/chat-expiration.entity.js';

export const entities = [
  TenantEntity,
  UserEntity,
  RoleEntity,
  ApiKeyEntity,
  ActivityLogEntity,
  SuperAdminEntity,
  DomainEventEntity,
  JobEntity,
  IntegrationEntity,
  IntegrationAccountEntity,
  ContactEntity,
  ContactIdentityEntity,
  ConversationEntity,
  MessageEntity,
  NoteEntity,
  MediaEntity,
  WebhookEventEntity,
  QuickReplyEntity,
  QuickReplyFavoriteEntity,
  ScheduledMessageEntity,
  CsatSettingsEntity,
  CsatSurveyEntity,
  DivisionEntity,
  DivisionAgentEntity,
  ConversationTransferEntity,
  WorkingHoursEntity,
  OutOfHoursReplyLogEntity,
  SlaPolicyEntity,
  ConversationSlaEntity,
  SlaBreachEntity,
  ChatExpirationRuleEntity,
];
