// The agent as API responses show it (also in the auth module's registration and profile answers).
import { z } from 'zod';
import type { Request } from 'express';
import { timestamp } from '../../core/http/schemas.js';

export const agentSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.enum(['active', 'suspended']),
  online: z.boolean(),
  lastSeenAt: timestamp.nullable(),
  role: z.object({ id: z.string(), name: z.string() }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** A one-time password link as the person who asked for it sees it. */
export const passwordLinkSchema = z.object({
  url: z.string().describe('The link to pass on (the token is in the fragment, never sent to a server)'),
  purpose: z.enum(['reset', 'invite']),
  expiresAt: timestamp,
  mailQueued: z.boolean().describe('Also mailed to the person (SMTP is configured)'),
});

/**
 * Where the person reaches the web UI: the address the caller used (on the LAN, one the person can
 * reach too). Not PUBLIC_URL: the tunnel behind it forwards only webhooks and public pages by default.
 */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
