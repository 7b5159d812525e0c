// The integrations module: Channels and their accounts (WhatsApp, Messenger, Instagram, email): credentials encrypted at rest.
import { defineModule } from '../../core/module.js';
import { IntegrationAccountEntity, IntegrationEntity } from './integration.entity.js';
import { integrationRoutes } from './integrations.routes.js';

export const integrationsModule = defineModule({
  name: 'integrations',
  entities: [IntegrationEntity, IntegrationAccountEntity],
  routes: () => integrationRoutes,
});
