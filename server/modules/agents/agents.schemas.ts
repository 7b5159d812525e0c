// The agent as API responses show it (also in the auth module's registration and profile answers).
import { z } from 'zod';
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
