// The contacts module: Contacts and their channel identities; merge.
import { defineModule } from '../../core/module.js';
import { ContactEntity, ContactIdentityEntity } from './contact.entity.js';
import { contactRoutes } from './contacts.routes.js';

export const contactsModule = defineModule({
  name: 'contacts',
  entities: [ContactEntity, ContactIdentityEntity],
  routes: () => contactRoutes,
  pushedEvents: ['contact.updated'],
});
