// Which accounts a webhook is for, and their app secrets, as acknowledging it needs them. Looking
// the accounts up and decrypting their secrets on every request was a large share of an
// acknowledgement's cost (issue 8), so the answer is cached per routing key (core/entity-cache.ts:
// dropped whenever an integration account is written).
import type { DataSource } from 'typeorm';
import type { Services } from '../../core/context.js';
import { EntityCache } from '../../core/entity-cache.js';
import type { Channel } from '../../channels/types.js';
import { IntegrationAccountEntity, type IntegrationAccount } from './integration.entity.js';
import { accountCredentials, findAccountsByKey } from './integrations.service.js';

/** An account a webhook is addressed to, with the secret its signature must be made with. */
export interface RoutedAccount {
  account: IntegrationAccount;
  appSecret: string | undefined;
}

const caches = new WeakMap<DataSource, EntityCache<RoutedAccount[]>>();
function cacheOf(db: DataSource) {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new EntityCache(db, [IntegrationAccountEntity.options.name])));
  return cache;
}

/**
 * The active accounts of `channel` named by `keys` (WhatsApp: phone number ids, or for template
 * events the WABA id; Messenger/Instagram: page and account ids), with their app secrets.
 */
export async function routeWebhook(services: Services, channel: Channel, keys: string[]): Promise<RoutedAccount[]> {
  const cache = cacheOf(services.db);
  const byAccount = new Map<string, RoutedAccount>();
  const missing: string[] = [];
  for (const key of keys) {
    const hit = cache.get(`${channel}\u0000${key}`);
    if (hit) for (const r of hit) byAccount.set(r.account.id, r);
    else missing.push(key);
  }
  if (missing.length > 0) {
    const found = await findAccountsByKey(services, channel, missing);
    for (const key of missing) {
      // The same fallback as findAccountsByKey: a WhatsApp key that is no phone number id is a WABA id.
      let matches = found.filter((a) => a.externalId === key);
      if (matches.length === 0 && channel === 'whatsapp') matches = found.filter((a) => a.config.wabaId === key);
      const routed = matches.map((account) => ({ account, appSecret: accountCredentials(services, account).config.appSecret }));
      cache.set(`${channel}\u0000${key}`, routed);
      for (const r of routed) byAccount.set(r.account.id, r);
    }
  }
  return [...byAccount.values()];
}
