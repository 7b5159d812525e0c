import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { notesService } from './notes.service.js';

const tag = 'Notes';
const conversationParams = z.object({ conversationId: z.string().max(64) });
const noteParams = conversationParams.extend({ noteId: z.string().max(64) });
const body = z.object({ body: z.string().trim().min(1, 'Required').max(10_000) });
const noteSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  body: z.string(),
  author: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const noteRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/notes',
    tag,
    summary: 'List notes for a conversation',
    access: access.tenant('conversations.view'),
    params: conversationParams,
    query: pageQuery,
    response: pageOf(noteSchema),
    handler: ({ ctx, params, query }) => notesService.list(ctx, params.conversationId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/notes',
    tag,
    summary: 'Create a note',
    access: access.tenant('conversations.view'),
    params: conversationParams,
    body,
    status: 201,
    response: noteSchema,
    handler: ({ ctx, params, body }) => notesService.create(ctx, params.conversationId, body.body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/conversations/{conversationId}/notes/{noteId}',
    tag,
    summary: 'Delete a note',
    access: access.tenant('conversations.view'),
    params: noteParams,
    status: 204,
    handler: ({ ctx, params }) => notesService.remove(ctx, params.conversationId, params.noteId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/conversations/{conversationId}/notes/{noteId}',
    tag,
    summary: 'Update a note',
    access: access.tenant('conversations.view'),
    params: noteParams,
    body,
    response: noteSchema,
    handler: ({ ctx, params, body }) => notesService.update(ctx, params.conversationId, params.noteId, body.body),
  }),
];
