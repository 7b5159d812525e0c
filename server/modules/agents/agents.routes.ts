import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, email, password, name, timestamp } from '../../core/http/schemas.js';
import { agentsService } from './agents.service.js';
import { agentSchema, passwordLinkSchema, requestOrigin } from './agents.schemas.js';
import { INVITATION_DAYS, invitationsService } from './invitations.service.js';

const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.object({ id: z.string(), name: z.string() }).nullable(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
  expiresAt: timestamp,
  acceptedAt: timestamp.nullable(),
  createdAt: timestamp,
});
const token = z.object({ token: z.string().max(200).describe('The secret of the invitation link') });

/** Invitations: one-time links to join as an agent (the admin's side, then the invited person's). */
export function invitationRoutes(deps: { authLimiter: RequestHandler }): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/agents/invitations',
      tag: 'Agents',
      summary: 'List pending invitations',
      access: access.tenant('agents.manage'),
      response: z.object({ data: z.array(invitationSchema) }),
      handler: ({ ctx }) => invitationsService.list(ctx),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/agents/invitations',
      tag: 'Agents',
      summary: 'Invite an agent',
      access: access.tenant('agents.manage'),
      status: 201,
      description:
        `A one-time link (in \`url\`, this answer only) where the invited person chooses their name and password; it works for ${INVITATION_DAYS} days. ` +
        'When the appliance has SMTP_URL the link is also mailed (`mailed: true`). A new invitation to the same address replaces the pending one. ' +
        'The role may not carry permissions the caller lacks (403).',
      body: z.object({ email, name: name.nullable().optional(), roleId: z.string().min(1).max(64) }).strict(),
      response: invitationSchema.extend({ url: z.string(), mailed: z.boolean() }),
      handler: ({ ctx, body, req }) => invitationsService.create(ctx, body, requestOrigin(req)),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/agents/invitations/{invitationId}',
      tag: 'Agents',
      summary: 'Revoke an invitation',
      access: access.tenant('agents.manage'),
      params: idParam('invitationId'),
      status: 204,
      handler: ({ ctx, params }) => invitationsService.revoke(ctx, params.invitationId),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/invitations/{token}',
      tag: 'Agents',
      summary: 'Look up an invitation',
      access: access.public,
      before: [deps.authLimiter],
      description:
        'For the invitation page: the address, organization and role. 404 for an unknown link, 409 for a used, withdrawn or expired one.',
      params: token,
      response: z.object({
        email: z.string(),
        name: z.string().nullable(),
        organization: z.string(),
        role: z.string().nullable(),
        expiresAt: timestamp,
      }),
      handler: ({ ctx, params }) => invitationsService.lookup(ctx, params.token),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invitations/{token}/accept',
      tag: 'Agents',
      summary: 'Accept an invitation',
      access: access.public,
      before: [deps.authLimiter],
      description:
        "Creates the agent with the invitation's email and role and the chosen name and password; the link is used up. Then sign in.",
      params: token,
      body: z.object({ name, password }).strict(),
      response: z.object({ email: z.string() }),
      handler: ({ ctx, params, body }) => invitationsService.accept(ctx, params.token, body),
    }),
  ];
}

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
