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
  email: z
    .object({
      address: z.string().trim().toLowerCase().email(),
      inboundSecret: z.string().min(16, 'Must be at least 16 characters').max(500).optional(),
      smtpUrl: z
        .string()
        .regex(/^smtps?:\/\//, 'Must start with smtp:// or smtps://')
        .optional(),
      // IMAP: the mailbox read by OmniStream itself (a second way in beside the inbound webhook).
      imapHost: z
        .string()
        .trim()
        .toLowerCase()
        .max(253)
        .regex(/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[?[0-9a-f:.]+\]?$/, 'Must be a host name, e.g. imap.example.com')
        .optional(),
      imapPort: z
        .union([z.string(), z.number()])
        .transform(String)
        .pipe(z.string().regex(/^\d{1,5}$/, 'Must be a port number'))
        .optional(),
      imapUser: z.string().trim().min(1).max(320).optional(),
      imapPassword: secret.optional(),
      imapMailbox: z.string().trim().min(1).max(200).optional(),
      imapTls: z
        .union([z.boolean(), z.enum(['true', 'false'])])
        .transform(String)
        .optional(),
    })
    .superRefine((c, issue) => {
      if (!c.inboundSecret && !c.imapHost)
        issue.addIssue({ code: 'custom', path: ['inboundSecret'], message: 'Required unless the mailbox is read by IMAP' });
      if (c.imapHost) {
        for (const key of ['imapUser', 'imapPassword'] as const)
          if (!c[key]) issue.addIssue({ code: 'custom', path: [key], message: 'Required with an IMAP server' });
      }
    }),
} satisfies Record<Channel, z.ZodObject>;

export const accountSpecs: Record<Channel, { key: string; secrets: string[] }> = {
  whatsapp: { key: 'phoneNumberId', secrets: ['accessToken', 'appSecret', 'verifyToken'] },
  messenger: { key: 'pageId', secrets: ['pageAccessToken', 'appSecret', 'verifyToken'] },
  instagram: { key: 'instagramAccountId', secrets: ['accessToken', 'appSecret', 'verifyToken'] },
  email: { key: 'address', secrets: ['inboundSecret', 'smtpUrl', 'imapPassword'] },
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
