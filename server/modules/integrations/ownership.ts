// Proof of ownership when a channel account is connected (issue 12, finding 5): a tenant that does
// not own a WhatsApp number, a Page or an Instagram account could connect it and receive another
// business's customers. The access token given must read that very asset from the Graph API:
// - WhatsApp: GET /{waba-id}/phone_numbers lists the number (the token manages that business
//   account, and the number belongs to it, so template events routed by WABA id are the tenant's too);
// - Messenger: GET /me with the Page access token answers that Page (a Page token reads only its Page
//   as /me, while any token can read a public Page by id);
// - Instagram: GET /{ig-account-id} answers that account (Meta refuses accounts the token may not manage).
import type { TenantCtx } from '../../core/context.js';
import { HttpError, unprocessable } from '../../core/http/errors.js';
import { ChannelSendError, type Channel } from '../../channels/types.js';

type Config = Record<string, string | undefined>;

function refused(field: string, what: string, reason?: string) {
  return unprocessable(
    `The access token cannot read this ${what}, so it does not prove the account is yours${reason ? ` (${reason})` : ''}`,
    [{ path: `config.${field}`, message: `Does not give access to this ${what}` }],
  );
}

/** Graph failures: Meta unreachable or unavailable is 502; a refusal means the token does not own the asset. */
function graphFailure(err: unknown, field: string, what: string): never {
  if (err instanceof ChannelSendError) {
    if (err.retryable || err.httpStatus === undefined || err.httpStatus >= 500)
      throw new HttpError(502, `Could not check the ${what} with Meta: ${err.reason}`);
    throw refused(field, what, err.reason);
  }
  throw err;
}

/** Throws 422 (naming the token field) unless the config's token reads the config's asset; 502 when Meta cannot be asked. */
export async function proveOwnership(ctx: TenantCtx, channel: Channel, config: Config): Promise<void> {
  switch (channel) {
    case 'whatsapp': {
      const { phoneNumberId, wabaId, accessToken } = config;
      const what = 'WhatsApp Business Account';
      const answer = await ctx.adapters.whatsapp.graph
        .get<{ data?: { id?: unknown }[] }>(`/${encodeURIComponent(wabaId ?? '')}/phone_numbers`, accessToken ?? '', {
          fields: 'id,display_phone_number,verified_name',
          limit: 200,
        })
        .catch((err) => graphFailure(err, 'accessToken', what));
      if (!answer?.data?.some((n) => String(n.id) === phoneNumberId)) {
        throw unprocessable('This phone number is not one of the WhatsApp Business Account the access token manages', [
          { path: 'config.phoneNumberId', message: 'Not a number of this WhatsApp Business Account' },
        ]);
      }
      return;
    }
    case 'messenger': {
      const what = 'Facebook Page';
      const me = await ctx.adapters.messenger.graph
        .get<{ id?: unknown }>('/me', config.pageAccessToken ?? '', { fields: 'id,name' })
        .catch((err) => graphFailure(err, 'pageAccessToken', what));
      if (String(me?.id) !== config.pageId) throw refused('pageAccessToken', what, 'it is not the access token of this Page');
      return;
    }
    case 'instagram': {
      const what = 'Instagram account';
      const id = config.instagramAccountId ?? '';
      const account = await ctx.adapters.instagram.graph
        .get<{ id?: unknown; user_id?: unknown }>(`/${encodeURIComponent(id)}`, config.accessToken ?? '', { fields: 'id,username' })
        .catch((err) => graphFailure(err, 'accessToken', what));
      if (String(account?.id) !== id && String(account?.user_id) !== id) throw refused('accessToken', what);
      return;
    }
    case 'email':
      // A mailbox is reached through its inbound secret, which the tenant chooses; nothing to prove here.
      return;
  }
}

/** The fields whose change needs the proof again (a new token, or another business account). */
export const OWNERSHIP_FIELDS: Record<Channel, string[]> = {
  whatsapp: ['accessToken', 'wabaId'],
  messenger: ['pageAccessToken'],
  instagram: ['accessToken'],
  email: [],
};
