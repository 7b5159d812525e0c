import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, timestamp } from '../../core/http/schemas.js';
import {
  CSV_COLUMNS,
  MAX_BODY,
  MAX_IMPORT_ROWS,
  SHORTCUT_PATTERN,
  normalizeShortcut,
  quickRepliesService,
} from './quick-replies.service.js';
import { VARIABLES } from './quick-reply.template.js';

const tag = 'Quick Replies';
const params = idParam('quickReplyId');
const scope = z.enum(['personal', 'shared']);
const variableList = Object.entries(VARIABLES)
  .map(([name, what]) => `\`{{${name}}}\` (${what.toLowerCase()})`)
  .join(', ');

const quickReplySchema = z.object({
  id: z.string(),
  shortcut: z.string(),
  title: z.string().nullable(),
  body: z.string(),
  scope,
  ownerId: z.string().nullable().describe('The owner of a personal reply'),
  mediaId: z.string().nullable(),
  media: z.object({ id: z.string(), mimeType: z.string(), filename: z.string().nullable(), size: z.number(), url: z.string() }).nullable(),
  variables: z.array(z.string()).describe('Variable names the body uses'),
  rendered: z.string().nullable().describe('The body with variables filled, when a conversationId was given'),
  favorite: z.boolean().describe("In the caller's favorites"),
  usageCount: z.number().int(),
  lastUsedAt: timestamp.nullable(),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const shortcut = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(65)
  .refine(
    (v) => SHORTCUT_PATTERN.test(normalizeShortcut(v)),
    'Letters, digits, "_", "-" and "." only (a leading "/" is dropped), at most 64',
  )
  .describe('Typed after "/" in the composer; stored lowercase without the slash');
const body = z
  .string()
  .min(1, 'Required')
  .max(MAX_BODY)
  .refine((v) => v.trim() !== '', 'Required')
  .describe(`The text; variables: ${variableList}. \`{{contact.name | Kak}}\` uses "Kak" when the value is empty.`);
const title = z.string().trim().max(200).nullable().optional();
const mediaId = z.string().max(64).nullable().optional().describe('An uploaded media file (POST /api/v1/media) sent with the reply');

export const quickReplyRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/quick-replies',
    tag,
    summary: 'List all quick replies',
    access: access.tenant('messages.send'),
    description:
      "Shared replies and the caller's personal ones, in the picker's order: the caller's favorites first, then the most used, then by shortcut. " +
      "With `conversationId`, each reply also carries `rendered`: its body filled with that conversation's contact, the calling agent and the organization.",
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(64).optional(),
      search: z.string().trim().max(200).optional().describe('Matches shortcut, title or body (case-insensitive)'),
      scope: scope.optional(),
      favorite: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional()
        .describe("Only the caller's favorites (true) or the others (false)"),
      conversationId: z.string().max(64).optional().describe('Fill variables for this conversation (answers 404 for an unknown one)'),
    }),
    response: z.object({ data: z.array(quickReplySchema), nextCursor: z.string().nullable() }),
    handler: ({ ctx, query }) => quickRepliesService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/quick-replies',
    tag,
    summary: 'Create a quick reply',
    access: access.tenant('messages.send'),
    status: 201,
    description:
      "Personal replies belong to the caller; shared ones need `quick_replies.manage`. A shortcut is unique among the shared replies and among each agent's own (409 naming `shortcut`).",
    body: z.object({ shortcut, title, body, scope: scope.default('personal'), mediaId }),
    response: quickReplySchema,
    handler: ({ ctx, body: input }) => quickRepliesService.create(ctx, input),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/quick-replies/{quickReplyId}',
    tag,
    summary: 'Delete a quick reply',
    access: access.tenant('messages.send'),
    status: 204,
    params,
    description: "Another agent's personal reply answers 404; a shared one needs `quick_replies.manage` (403).",
    handler: ({ ctx, params: p }) => quickRepliesService.remove(ctx, p.quickReplyId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/quick-replies/{quickReplyId}',
    tag,
    summary: 'Update a quick reply',
    access: access.tenant('messages.send'),
    params,
    description:
      "Changing a shared reply, or making a reply shared, needs `quick_replies.manage`; a shared reply made personal becomes the caller's.",
    body: z.object({ shortcut: shortcut.optional(), title, body: body.optional(), scope: scope.optional(), mediaId }),
    response: quickReplySchema,
    handler: ({ ctx, params: p, body: input }) => quickRepliesService.update(ctx, p.quickReplyId, input),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/quick-replies/export',
    tag,
    summary: 'Export quick replies as CSV',
    access: access.tenant('messages.send'),
    description:
      `Answers text/csv (UTF-8 with a byte-order mark) with the columns ${CSV_COLUMNS.join(', ')}: the shared replies and the caller's personal ones. ` +
      'Cells that a spreadsheet would run as a formula start with an apostrophe, which the import removes.',
    query: z.object({ scope: scope.optional() }),
    handler: async ({ ctx, query, res }) => {
      const csv = await quickRepliesService.exportCsv(ctx, query);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="quick-replies.csv"');
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).send(csv);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/quick-replies/import',
    tag,
    summary: 'Import quick replies from CSV',
    access: access.tenant('messages.send'),
    description:
      `multipart/form-data with the CSV in \`file\`. The first line names the columns: \`shortcut\` and \`body\` are required; \`title\`, \`scope\` ` +
      `(personal or shared; default the form field \`scope\`, else personal) and \`mediaId\` are optional. A row whose shortcut already exists in its scope updates that reply. ` +
      `Bad rows are skipped and reported as \`errors: [{line, message}]\` (line numbers of the file, the header being line 1); the good rows are saved. At most ${MAX_IMPORT_ROWS} rows.`,
    upload: { field: 'file', maxBytes: 2 * 1024 * 1024 },
    body: z.object({ scope: scope.default('personal') }),
    response: z.object({
      imported: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
    }),
    handler: ({ ctx, file, body: form }) => quickRepliesService.importCsv(ctx, file!, form),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/quick-replies/{quickReplyId}/usage',
    tag,
    summary: 'Record usage of a quick reply',
    access: access.tenant('messages.send'),
    params,
    description:
      "Counts one use (the picker orders by it). With `conversationId`, the answer's `rendered` is the filled text to put in the composer.",
    body: z.object({ conversationId: z.string().max(64).optional() }).optional(),
    response: quickReplySchema,
    handler: ({ ctx, params: p, body: input }) => quickRepliesService.recordUsage(ctx, p.quickReplyId, input ?? {}),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/quick-replies/{quickReplyId}/favorite',
    tag,
    summary: 'Add quick reply to favorites',
    access: access.tenant('messages.send'),
    params,
    description: "Favorites are per agent and come first in that agent's picker. Adding one twice is harmless.",
    response: quickReplySchema,
    handler: ({ ctx, params: p }) => quickRepliesService.favorite(ctx, p.quickReplyId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/quick-replies/{quickReplyId}/favorite',
    tag,
    summary: 'Remove quick reply from favorites',
    access: access.tenant('messages.send'),
    params,
    status: 204,
    handler: ({ ctx, params: p }) => quickRepliesService.unfavorite(ctx, p.quickReplyId),
  }),
];
