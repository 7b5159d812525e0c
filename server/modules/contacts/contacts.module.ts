// The contacts module: Contacts and their channel identities; tags, CSV import/export, duplicates and merge.
import { defineModule } from '../../core/module.js';
import { ContactEntity, ContactIdentityEntity } from './contact.entity.js';
import { contactRoutes } from './contacts.routes.js';
import { ContactOptOut1733230000000 } from './contacts.migration.js';
import { ContactTags1733610000000 } from './contact-tags.migration.js';

export const contactsModule = defineModule({
  name: 'contacts',
  entities: [ContactEntity, ContactIdentityEntity],
  migrations: [ContactOptOut1733230000000, ContactTags1733610000000],
  routes: () => contactRoutes,
  pushedEvents: ['contact.updated'],
});
