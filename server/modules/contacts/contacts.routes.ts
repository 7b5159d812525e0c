import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { conversationSchema } from '../conversations/conversations.schemas.js';
import { MAX_IMPORT_ROWS, contactsService } from './contacts.service.js';

const tag = 'Contacts';
const params = idParam('contactId');
const contactSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  lastSeenAt: timestamp.nullable(),
  optedOut: z.boolean().describe('Opted out of broadcasts: campaigns skip this contact'),
  optedOutAt: timestamp.nullable(),
  optOutSource: z.string().nullable().describe('keyword:<word> when the customer sent an opt-out keyword, agent when set here'),
  identities: z.array(z.object({ channel: z.string(), externalId: z.string() })),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{5,30}$/, 'Must be a phone number')
  .describe(
    "Stored in E.164; a number without a country code is read in the organization's region (Indonesia by default: 0812… → +62812…)",
  );
const contactFields = {
  name: z.string().trim().min(1).max(200).nullable().optional(),
  phone: phone.nullable().optional(),
  email: z.string().trim().toLowerCase().email().max(320).nullable().optional(),
  attributes: z.record(z.string().trim().min(1).max(100), z.string().max(1000)).optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional().describe('Stored lower-case, spaces as dashes, each once'),
};
const importRow = z.object({
  line: z.number().int().describe('The line in the file (the header is line 1)'),
  action: z.enum(['create', 'update', 'error']),
  contactId: z.string().nullable().describe('The contact the row updates (or created)'),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});

export const contactRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/contacts',
    tag,
    summary: 'Create a contact',
    access: access.tenant('contacts.manage'),
    status: 201,
    description: 'A phone or email another contact already has answers 409 (merge them instead).',
    body: z
      .object(contactFields)
      .strict()
      .refine((b) => b.name || b.phone || b.email, { message: 'A contact needs a name, a phone or an email', path: ['name'] }),
    response: contactSchema,
    handler: ({ ctx, body }) => contactsService.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/contacts/export',
    tag,
    summary: 'Export contacts as CSV',
    access: access.tenant('contacts.view'),
    description:
      'Answers text/csv (UTF-8 with a byte-order mark): name, phone, email, tags (separated by "; "), then one column per custom attribute. ' +
      'Cells a spreadsheet would run as a formula start with an apostrophe, which the import removes.',
    query: z.object({ tag: z.string().trim().min(1).max(50).optional() }),
    handler: async ({ ctx, query, res }) => {
      const csv = await contactsService.exportCsv(ctx, query);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="contacts.csv"');
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).send(csv);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/contacts/import',
    tag,
    summary: 'Import contacts from CSV',
    access: access.tenant('contacts.manage'),
    description:
      'multipart/form-data with the CSV in `file`. The first line names the columns: `name`, `phone`, `email`, `tags` (separated by ";" or ","); ' +
      "any other column is a custom attribute. Phones are normalized to E.164 in the organization's region. A row whose phone or email belongs to a contact " +
      'updates it (filled cells only; tags are added). Each row is reported with its line, what it does and its errors; bad rows are skipped. ' +
      `With \`dryRun=true\` nothing is saved (the preview). At most ${MAX_IMPORT_ROWS} rows.`,
    upload: { field: 'file', maxBytes: 5 * 1024 * 1024 },
    body: z.object({
      dryRun: z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
    }),
    response: z.object({
      dryRun: z.boolean(),
      total: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      failed: z.number().int(),
      rows: z.array(importRow),
    }),
    handler: ({ ctx, file, body }) => contactsService.importCsv(ctx, file!, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/contacts/duplicates',
    tag,
    summary: 'List likely duplicate contacts',
    access: access.tenant('contacts.view'),
    description: 'Groups of contacts that share a phone number or an email address (at most 200 groups): merge each into one.',
    response: z.object({
      data: z.array(z.object({ reason: z.enum(['phone', 'email']), value: z.string(), contacts: z.array(contactSchema) })),
    }),
    handler: ({ ctx }) => contactsService.duplicates(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/contacts',
    tag,
    summary: 'List contacts',
    access: access.tenant('contacts.view'),
    query: pageQuery.extend({
      search: z.string().trim().min(1).max(200).optional().describe('Matches name, phone or email'),
      tag: z.string().trim().min(1).max(50).optional().describe('Only contacts with this tag'),
    }),
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
        ...contactFields,
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
