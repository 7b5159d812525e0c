import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { conversationSchema } from '../conversations/conversations.schemas.js';
import { contactsService } from './contacts.service.js';

const tag = 'Contacts';
const params = idParam('contactId');
const contactSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  lastSeenAt: timestamp.nullable(),
  optedOut: z.boolean().describe('Opted out of broadcasts: campaigns skip this contact'),
  optedOutAt: timestamp.nullable(),
  optOutSource: z.string().nullable().describe('keyword:<word> when the customer sent an opt-out keyword, agent when set here'),
  identities: z.array(z.object({ channel: z.string(), externalId: z.string() })),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const contactRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/contacts',
    tag,
    summary: 'List contacts',
    access: access.tenant('contacts.view'),
    query: pageQuery.extend({ search: z.string().trim().min(1).max(200).optional().describe('Matches name, phone or email') }),
    response: pageOf(contactSchema),
    handler: ({ ctx, query }) => contactsService.list(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/contacts/{contactId}',
    tag,
    summary: 'Get a contact by ID',
    access: access.tenant('contacts.view'),
    params,
    response: contactSchema,
    handler: ({ ctx, params }) => contactsService.get(ctx, params.contactId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/contacts/{contactId}',
    tag,
    summary: 'Update a contact',
    access: access.tenant('contacts.manage'),
    params,
    body: z
      .object({
        name: z.string().trim().min(1).max(200).nullable().optional(),
        phone: z
          .string()
          .trim()
          .regex(/^\+?[0-9 ()-]{5,30}$/, 'Must be a phone number')
          .nullable()
          .optional(),
        email: z.string().trim().toLowerCase().email().nullable().optional(),
        attributes: z.record(z.string().max(100), z.string().max(1000)).optional(),
        optedOut: z.boolean().optional().describe('Opt the contact out of broadcasts (true) or back in (false)'),
      })
      .strict(),
    response: contactSchema,
    handler: ({ ctx, params, body }) => contactsService.update(ctx, params.contactId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/contacts/{contactId}/merge',
    tag,
    summary: 'Merge another contact into this one',
    access: access.tenant('contacts.manage'),
    params,
    description:
      "For the same person on two channels (e.g. WhatsApp and Instagram): the other contact's channel identities, conversations and messages move to this contact, its name, phone and email fill fields that are empty here (attributes here win), and the other contact is deleted. Recorded in the activity log; emits `contact.merged`.",
    body: z.object({ contactId: z.string().trim().min(1).max(64).describe('The contact to merge into this one (it is deleted)') }).strict(),
    response: contactSchema,
    handler: ({ ctx, params, body }) => contactsService.merge(ctx, params.contactId, body.contactId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/contacts/{contactId}/conversations',
    tag,
    summary: 'List conversations for a contact',
    access: access.tenant('conversations.view'),
    params,
    query: pageQuery,
    response: pageOf(conversationSchema),
    handler: ({ ctx, params, query }) => contactsService.conversations(ctx, params.contactId, query),
  }),
];
