// What each channel's account needs: its routing key, the fields that may be shown, and the
// secrets that are encrypted at rest and only ever shown masked.
import { z } from 'zod';
import type { Channel } from '../../channels/types.js';

const secret = z.string().trim().min(1).max(2000);
const id = z.string().trim().min(1).max(200);

export const accountConfigSchemas = {
  whatsapp: z.object({ phoneNumberId: id, wabaId: id, accessToken: secret, appSecret: secret.optional(), verifyToken: secret.optional() }),
  messenger: z.object({ pageId: id, pageAccessToken: secret, appSecret: secret.optional(), verifyToken: secret.optional() }),
  instagram: z.object({ instagramAccountId: id, accessToken: secret, appSecret: secret.optional(), verifyToken: secret.optional() }),
  email: z.object({
    address: z.string().trim().toLowerCase().email(),
    inboundSecret: z.string().min(16, 'Must be at least 16 characters').max(500),
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\//, 'Must start with smtp:// or smtps://')
      .optional(),
  }),
} satisfies Record<Channel, z.ZodObject>;

export const accountSpecs: Record<Channel, { key: string; secrets: string[] }> = {
  whatsapp: { key: 'phoneNumberId', secrets: ['accessToken', 'appSecret', 'verifyToken'] },
  messenger: { key: 'pageId', secrets: ['pageAccessToken', 'appSecret', 'verifyToken'] },
  instagram: { key: 'instagramAccountId', secrets: ['accessToken', 'appSecret', 'verifyToken'] },
  email: { key: 'address', secrets: ['inboundSecret', 'smtpUrl'] },
};

/** Splits a validated config into the shown part and the secret part. */
export function splitConfig(channel: Channel, config: Record<string, string | undefined>) {
  const spec = accountSpecs[channel];
  const shown: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined) continue;
    if (spec.secrets.includes(k)) secrets[k] = v;
    else shown[k] = v;
  }
  return { externalId: String(config[spec.key]), shown, secrets };
}
