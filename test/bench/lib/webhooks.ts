// WhatsApp webhook bodies shaped like shared/reference/fixtures/wa-text.json, signed like Meta does.
import { signMetaBody } from '../../../server/channels/meta-signature.js';
import { FIRST_NAMES, LAST_NAMES } from './corpus.js';

export interface SignedWebhook {
  body: string;
  signature: string;
  wamid: string;
}

export function textWebhook(
  phoneNumberId: string,
  appSecret: string,
  from: string,
  wamid: string,
  text: string,
  nameSeed: number,
): SignedWebhook {
  const name = `${FIRST_NAMES[nameSeed % FIRST_NAMES.length]} ${LAST_NAMES[(nameSeed * 7) % LAST_NAMES.length]}`;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name }, wa_id: from }],
              messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
  return { body, signature: signMetaBody(body, appSecret), wamid };
}

export const webhookHeaders = (w: SignedWebhook) => ({ 'content-type': 'application/json', 'x-hub-signature-256': w.signature });
