// Helpers for WhatsApp tests: connect an account, and post fixture webhooks signed like Meta does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { signMetaBody } from '../../server/channels/meta-signature.js';
import type { Api } from './http.js';
import { graphAssets } from './fake-graph.js';

const FIXTURES = new URL('../fixtures/meta/', import.meta.url);

export function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

let seq = 0;
/** A unique wamid for tests. */
export const wamid = (label = 'T') => `wamid.TEST${label}${Date.now().toString(36)}${++seq}`;

export interface WaAccount {
  id: string;
  phoneNumberId: string;
  appSecret: string;
}

/** Connects a number, its token owning it in the fake Graph (connecting proves ownership there). */
export async function connectWhatsApp(api: Api, phoneNumberId: string, appSecret = `secret-${phoneNumberId}`): Promise<WaAccount> {
  const accessToken = `token-${phoneNumberId}-abcdef`;
  graphAssets.whatsapp(accessToken, `waba-${phoneNumberId}`, [phoneNumberId]);
  const res = await api.post('/api/v1/integration-accounts', {
    channel: 'whatsapp',
    name: `WA ${phoneNumberId}`,
    config: { phoneNumberId, wabaId: `waba-${phoneNumberId}`, accessToken, appSecret },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, phoneNumberId, appSecret };
}

/**
 * A fixture retargeted at one account: phone_number_id replaced, and each message/status given
 * the overrides (fresh timestamps by default, so the 24-hour window is open).
 */
export function waPayload(
  name: string,
  phoneNumberId: string,
  overrides: { message?: Record<string, unknown>; status?: Record<string, unknown>; from?: string; profileName?: string } = {},
): any {
  const body = fixture(name);
  const now = String(Math.floor(Date.now() / 1000));
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      const value = change.value;
      if (value.metadata) value.metadata.phone_number_id = phoneNumberId;
      for (const m of value.messages ?? []) {
        m.timestamp = now;
        if (overrides.from) m.from = overrides.from;
        Object.assign(m, overrides.message);
      }
      for (const c of value.contacts ?? []) {
        if (overrides.from) c.wa_id = overrides.from;
        if (overrides.profileName) c.profile.name = overrides.profileName;
      }
      for (const s of value.statuses ?? []) {
        s.timestamp = now;
        Object.assign(s, overrides.status);
      }
    }
  }
  return body;
}

export async function postWebhook(baseUrl: string, body: unknown, appSecret: string, opts: { signature?: string } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${baseUrl}/api/v1/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': opts.signature ?? signMetaBody(raw, appSecret) },
    body: raw,
  });
}

/** Polls until check() returns a truthy value (or fails after timeoutMs). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
