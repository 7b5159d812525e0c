import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export interface Contact {
  id: string;
  tenantId: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  attributes: Record<string, string>;
  /** Labels agents give (vip, reseller…), lower-case, each once. */
  tags: string[];
  lastSeenAt: Date | null;
  /** Set when the contact opted out of broadcasts (campaigns skip them). */
  optedOutAt?: Date | null;
  /** How: a keyword they sent ("keyword:STOP") or an agent ("agent"). */
  optOutSource?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ContactEntity = new EntitySchema<Contact>({
  name: 'Contact',
  tableName: 'contacts',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200, true),
    phone: col.string(50, true),
    email: col.string(320, true),
    attributes: col.json(),
    tags: { ...col.json(), default: '[]' },
    lastSeenAt: col.time(true),
    optedOutAt: col.time(true),
    optOutSource: col.string(200, true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/** How a contact is known on a channel (WhatsApp wa_id, Messenger PSID, email address). */
export interface ContactIdentity {
  id: string;
  tenantId: string;
  contactId: string;
  channel: string;
  externalId: string;
  createdAt: Date;
}

export const ContactIdentityEntity = new EntitySchema<ContactIdentity>({
  name: 'ContactIdentity',
  tableName: 'contact_identities',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    contactId: col.ref(),
    channel: col.string(20),
    externalId: col.string(320),
    createdAt: col.time(),
  },
});
