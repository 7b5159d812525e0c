import { z } from 'zod';
import { Reply, access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { waTemplatesService } from './wa-templates.service.js';

const tag = 'WA Templates';
const params = idParam('templateId');
const perm = access.tenant('templates.manage');

const variableSchema = z.object({
  key: z.string().describe('How a send names the value: header.1, body.1…, body.<name>, button.<index>'),
  component: z.enum(['header', 'body', 'button']),
  name: z.string(),
  buttonIndex: z.number().int().optional(),
  example: z.string().nullable(),
});

export const templateSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  wabaId: z.string(),
  externalId: z.string().nullable().describe("Meta's template id (null until the submission is accepted)"),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  parameterFormat: z.enum(['POSITIONAL', 'NAMED']),
  status: z.string().describe("Meta's status: PENDING, APPROVED, REJECTED, PAUSED, DISABLED…"),
  statusReason: z.string().nullable().describe('Why it was rejected, paused or disabled'),
  qualityScore: z.string().nullable().describe('GREEN, YELLOW, RED or UNKNOWN'),
  paused: z.boolean(),
  pause: z.object({ title: z.string(), description: z.string().optional() }).nullable(),
  statusHistory: z.array(z.object({ event: z.string(), reason: z.string().nullable(), at: timestamp })),
  header: z.object({ format: z.string(), text: z.string().nullable() }).nullable(),
  body: z.string(),
  footer: z.string().nullable(),
  buttons: z.array(z.object({ type: z.string(), text: z.string(), url: z.string().nullable(), phoneNumber: z.string().nullable() })),
  components: z.array(z.record(z.string(), z.unknown())).describe("Meta's components"),
  variables: z.array(variableSchema),
  headerMediaUrl: z.string().nullable(),
  submission: z.enum(['queued', 'submitted', 'failed', 'synced']),
  submissionError: z.string().nullable(),
  lastSyncedAt: timestamp.nullable(),
  statusUpdatedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'Must be an http(s) link');
const buttonText = z.string().trim().min(1, 'Required').max(25);

const createBody = z
  .object({
    accountId: z
      .string()
      .max(64)
      .optional()
      .describe("The WhatsApp account whose WABA gets the template (default: the tenant's default WhatsApp account)"),
    name: z
      .string()
      .trim()
      .regex(/^[a-z0-9_]{1,512}$/, 'Lowercase letters, digits and _ only'),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'A language code such as id, en or en_US'),
    category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
    header: z
      .discriminatedUnion('format', [
        z.object({ format: z.literal('TEXT'), text: z.string().trim().min(1).max(60), example: z.string().max(200).optional() }),
        z.object({ format: z.enum(['IMAGE', 'VIDEO', 'DOCUMENT']), example: z.string().max(2000).optional() }),
      ])
      .nullable()
      .optional(),
    body: z.object({
      text: z.string().trim().min(1, 'Required').max(1024),
      examples: z
        .union([z.array(z.string().min(1).max(200)).max(100), z.record(z.string(), z.string().min(1).max(200))])
        .optional()
        .describe('One example per placeholder: a list for {{1}}, {{2}}…, or an object for named placeholders'),
    }),
    footer: z.string().trim().max(60).nullable().optional(),
    buttons: z
      .array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('QUICK_REPLY'), text: buttonText }),
          z.object({
            type: z.literal('URL'),
            text: buttonText,
            url: z.string().trim().min(1).max(2000),
            example: z.string().max(2000).optional(),
          }),
          z.object({
            type: z.literal('PHONE_NUMBER'),
            text: buttonText,
            phoneNumber: z
              .string()
              .trim()
              .regex(/^\+[0-9]{6,20}$/, 'An international number such as +6281234567890'),
          }),
        ]),
      )
      .max(10)
      .optional(),
    headerMediaUrl: httpUrl.nullable().optional().describe('For an image, video or document header: the link sent with each message'),
  })
  .strict();

export const waTemplateRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/wa-templates',
    tag,
    summary: 'List WhatsApp message templates',
    access: perm,
    description:
      'Newest first. Filter by `status` (APPROVED, PENDING, REJECTED, PAUSED…), `language`, `accountId` or a part of the name (`search`).',
    query: pageQuery.extend({
      status: z.string().trim().max(30).optional(),
      language: z.string().trim().max(20).optional(),
      accountId: z.string().trim().max(64).optional(),
      search: z.string().trim().min(1).max(200).optional(),
    }),
    response: pageOf(templateSchema),
    handler: ({ ctx, query }) => waTemplatesService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/wa-templates',
    tag,
    summary: 'Create a WhatsApp message template',
    access: perm,
    status: 201,
    description:
      "Stored as PENDING and submitted to Meta by a background job (`submission`: queued → submitted; it waits while the internet is down). Meta's `message_template_status_update` webhook then sets APPROVED or REJECTED with the reason. " +
      'Placeholders are {{1}}, {{2}}… in order (or named, {{name}}), each with an example value; a URL button may end with {{1}}. 400 names the field at fault; 409 when the name exists in that language.',
    body: createBody,
    response: templateSchema,
    handler: ({ ctx, body }) => waTemplatesService.create(ctx, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/wa-templates/sync',
    tag,
    summary: 'Sync templates from Meta',
    access: perm,
    description:
      "Reads every template of the WhatsApp Business Account(s) from Meta (all pages) and stores them: new ones are added, known ones take Meta's status, category, components and quality score. 502 when Meta cannot be reached or refuses.",
    body: z
      .object({ accountId: z.string().max(64).optional() })
      .strict()
      .optional(),
    response: z.object({
      accounts: z.number().int(),
      wabas: z.number().int(),
      templates: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      syncedAt: timestamp,
    }),
    handler: ({ ctx, body }) => waTemplatesService.sync(ctx, body ?? {}),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/wa-templates/sendable',
    tag,
    summary: 'List the templates an agent can send now',
    access: access.tenant('messages.send'),
    description:
      'Approved templates that are not paused and have their header media, by name, for the composer (outside the 24-hour window) and for starting a conversation. With `conversationId`, only those its WhatsApp number can send (none for other channels); 404 for a conversation the caller cannot see.',
    query: z.object({ conversationId: z.string().trim().max(64).optional() }).strict(),
    response: z.object({ data: z.array(templateSchema) }),
    handler: ({ ctx, query }) => waTemplatesService.sendable(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/wa-templates/{templateId}/send',
    tag,
    summary: 'Send a template to a conversation or a contact',
    access: access.tenant('messages.send'),
    params,
    status: 201,
    description:
      "Stores the message as queued in the conversation (or in the contact's open WhatsApp conversation on the template's number, a new one if none) and answers at once; the durable message job delivers it. `values` are keyed as the template's `variables`. 404 for a template, conversation or contact the caller cannot see; 422 when the template is not approved or paused, a value is missing or unknown (naming `values.<key>`), the conversation is not on WhatsApp or the contact has no WhatsApp number.",
    body: z
      .object({
        conversationId: z.string().trim().max(64).optional(),
        contactId: z.string().trim().max(64).optional(),
        values: z.record(z.string(), z.string().max(1024)).default({}),
        clientMessageId: z
          .string()
          .min(8)
          .max(100)
          .optional()
          .describe('Idempotency key chosen by the client: resending the same one returns the first message'),
      })
      .strict()
      .refine((b) => Boolean(b.conversationId || b.contactId), {
        message: 'Give a conversationId or a contactId',
        path: ['conversationId'],
      }),
    response: z.object({ messageId: z.string(), conversationId: z.string(), created: z.boolean() }),
    handler: ({ ctx, params: p, body }) => waTemplatesService.send(ctx, p.templateId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/wa-templates/{templateId}',
    tag,
    summary: 'Get a WhatsApp template by ID',
    access: perm,
    params,
    response: templateSchema,
    handler: ({ ctx, params: p }) => waTemplatesService.get(ctx, p.templateId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/wa-templates/{templateId}',
    tag,
    summary: 'Delete a WhatsApp template (local only)',
    access: perm,
    params,
    status: 204,
    description: "Removes OmniStream's copy; the template stays in Meta's WhatsApp Manager (a later sync brings it back).",
    handler: async ({ ctx, params: p }) => {
      await waTemplatesService.remove(ctx, p.templateId);
      return new Reply(204);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/wa-templates/{templateId}/header-media',
    tag,
    summary: 'Update template header media URL',
    access: perm,
    params,
    description:
      'The public http(s) link of the image, video or document sent in the header of each message (Meta fetches it). 422 when the template has no media header.',
    body: z.object({ url: httpUrl.nullable() }).strict(),
    response: templateSchema,
    handler: ({ ctx, params: p, body }) => waTemplatesService.setHeaderMedia(ctx, p.templateId, body),
  }),
];
