import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, email, password, name } from '../../core/http/schemas.js';
import { agentsService } from './agents.service.js';
import { agentSchema, passwordLinkSchema, requestOrigin } from './agents.schemas.js';

const params = idParam('agentId');
const tag = 'Agents';

export const agentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/agents',
    tag,
    summary: 'List all agents',
    access: access.tenant('agents.view'),
    query: pageQuery.extend({
      search: z.string().trim().min(1).max(200).optional().describe('Matches name or email'),
      roleId: z.string().max(64).optional(),
      status: z.enum(['active', 'suspended']).optional(),
    }),
    response: pageOf(agentSchema),
    handler: ({ ctx, query }) => agentsService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/agents',
    tag,
    summary: 'Create a new agent',
    description:
      'The role must carry only permissions the caller has (the owner role only an owner gives). Without `password`, the answer carries `passwordLink`: a one-time link for the person to choose their own (also mailed when SMTP is configured). Emails are unique within the organization.',
    access: access.tenant('agents.manage'),
    status: 201,
    body: z.object({
      name,
      email,
      password: password.optional().describe('A first password; omit it to send the person a link to choose their own'),
      roleId: z.string().min(1).max(64),
    }),
    response: agentSchema.extend({ passwordLink: passwordLinkSchema.optional() }),
    handler: ({ ctx, body, req }) => agentsService.create(ctx, body, requestOrigin(req)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/agents/{agentId}',
    tag,
    summary: 'Get an agent by ID',
    access: access.tenant('agents.view'),
    params,
    response: agentSchema,
    handler: ({ ctx, params }) => agentsService.get(ctx, params.agentId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/agents/{agentId}',
    tag,
    summary: 'Delete an agent',
    description: 'Only people whose permissions the caller all has (an owner only by an owner); their sessions end at once.',
    access: access.tenant('agents.manage'),
    params,
    status: 204,
    handler: ({ ctx, params }) => agentsService.remove(ctx, params.agentId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/agents/{agentId}',
    tag,
    summary: 'Update an agent',
    description:
      "Only people whose permissions the caller all has (an owner only by an owner), and only to roles whose permissions the caller all has. A new role or a suspension ends the person's sessions and open sockets at once. Passwords are never set here: see `POST /api/v1/agents/{agentId}/password-reset` and `POST /api/v1/auth/password`.",
    access: access.tenant('agents.manage'),
    params,
    body: z
      .object({
        name: name.optional(),
        email: email.optional(),
        password: z.string().max(200).optional().describe("Not accepted (400): nobody sets another person's password"),
        roleId: z.string().min(1).max(64).optional(),
        status: z.enum(['active', 'suspended']).optional(),
      })
      .strict(),
    response: agentSchema,
    handler: ({ ctx, params, body }) => agentsService.update(ctx, params.agentId, body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/agents/{agentId}/status',
    tag,
    summary: 'Toggle agent online/offline status',
    description: "Any agent may set their own status; setting another agent's needs agents.manage.",
    access: access.signedIn,
    params,
    body: z.object({ online: z.boolean() }),
    response: agentSchema,
    handler: ({ ctx, params, body }) => agentsService.setStatus(ctx, params.agentId, body.online),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/agents/{agentId}/password-reset',
    tag,
    summary: 'Send an agent a link to set a new password',
    description:
      'Issues a one-time link (valid 1 hour; earlier links stop working) for the person to choose a new password at `POST /api/v1/auth/password-reset`. The answer carries the link to pass on; it is also mailed to the person when SMTP is configured. Only for people whose permissions the caller all has (an owner only by an owner). The password and the sessions stay as they are until the link is used.',
    access: access.tenant('agents.manage'),
    params,
    status: 201,
    response: passwordLinkSchema,
    handler: ({ ctx, params, req }) => agentsService.passwordReset(ctx, params.agentId, requestOrigin(req)),
  }),
];
