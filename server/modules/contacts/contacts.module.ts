// The contacts module: Contacts and their channel identities; merge.
import { defineModule } from '../../core/module.js';
import { ContactEntity, ContactIdentityEntity } from './contact.entity.js';
import { contactRoutes } from './contacts.routes.js';
import { ContactOptOut1733230000000 } from './contacts.migration.js';

export const contactsModule = defineModule({
  name: 'contacts',
  entities: [ContactEntity, ContactIdentityEntity],
  migrations: [ContactOptOut1733230000000],
  routes: () => contactRoutes,
  pushedEvents: ['contact.updated'],
});
