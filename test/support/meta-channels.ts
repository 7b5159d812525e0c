// Helpers for Messenger, Instagram and email tests: connect accounts, retarget fixtures at them,
// and post webhooks signed (or authenticated) like Meta and a mail relay do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { signMetaBody } from '../../server/channels/meta-signature.js';
import { fixture } from './whatsapp.js';
import type { Api } from './http.js';
import { graphAssets } from './fake-graph.js';

const FIXTURES = new URL('../fixtures/meta/', import.meta.url);

/** A fixture file as bytes (the .eml). */
export const rawFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

let seq = 0;
/** A unique Messenger/Instagram message id for tests. */
export const mid = (label = 'T') => `m_TEST${label}${Date.now().toString(36)}${++seq}`;

export interface MetaAccount {
  id: string;
  /** Page id or Instagram account id. */
  key: string;
  token: string;
  appSecret: string;
}

export async function connectMessenger(api: Api, pageId: string, appSecret = `secret-${pageId}`): Promise<MetaAccount> {
  const token = `page-token-${pageId}`;
  // Connecting proves ownership in the (fake) Graph: the token must be the Page's.
  graphAssets.page(token, pageId);
  const res = await api.post('/api/v1/integration-accounts', {
    channel: 'messenger',
    name: `Page ${pageId}`,
    config: { pageId, pageAccessToken: token, appSecret },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, key: pageId, token, appSecret };
}

export async function connectInstagram(
  api: Api,
  instagramAccountId: string,
  appSecret = `secret-${instagramAccountId}`,
): Promise<MetaAccount> {
  const token = `ig-token-${instagramAccountId}`;
  graphAssets.instagram(token, instagramAccountId);
  const res = await api.post('/api/v1/integration-accounts', {
    channel: 'instagram',
    name: `IG ${instagramAccountId}`,
    config: { instagramAccountId, accessToken: token, appSecret },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, key: instagramAccountId, token, appSecret };
}

export interface EmailAccount {
  id: string;
  address: string;
  inboundSecret: string;
}

export async function connectEmail(api: Api, address: string, opts: { smtpUrl?: string; name?: string } = {}): Promise<EmailAccount> {
  const inboundSecret = `inbound-secret-${address}-0123456789`;
  const config: Record<string, string> = { address, inboundSecret };
  if (opts.smtpUrl) config.smtpUrl = opts.smtpUrl;
  const res = await api.post('/api/v1/integration-accounts', { channel: 'email', name: opts.name ?? `Mailbox ${address}`, config });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, address, inboundSecret };
}

/**
 * A Messenger or Instagram fixture retargeted at one account: entry.id and the business side of each
 * event replaced by `accountKey`, the customer by `customer`, timestamps fresh (so the window is
 * open) unless `at` is given, and each `message` given the overrides.
 */
export function messagingPayload(
  name: string,
  accountKey: string,
  overrides: { customer?: string; at?: number; message?: Record<string, unknown>; event?: Record<string, unknown> } = {},
): any {
  const body = fixture(name);
  const at = overrides.at ?? Date.now();
  for (const entry of body.entry) {
    const originalKey = String(entry.id);
    entry.id = accountKey;
    entry.time = at;
    for (const event of entry.messaging) {
      for (const side of ['sender', 'recipient'] as const) {
        if (String(event[side].id) === originalKey) event[side].id = accountKey;
        else if (overrides.customer) event[side].id = overrides.customer;
      }
      event.timestamp = at;
      if (event.message) Object.assign(event.message, overrides.message);
      Object.assign(event, overrides.event);
    }
  }
  return body;
}

export async function postSigned(baseUrl: string, path: string, body: unknown, appSecret: string, opts: { signature?: string } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': opts.signature ?? signMetaBody(raw, appSecret) },
    body: raw,
  });
}

/** Posts raw MIME (a Buffer or string) or the JSON shape to the email webhook. */
export async function postEmail(baseUrl: string, email: Buffer | string | Record<string, unknown>, secret: string | undefined) {
  const headers: Record<string, string> = {};
  if (secret !== undefined) headers['x-webhook-secret'] = secret;
  let body: string | Buffer;
  if (Buffer.isBuffer(email) || typeof email === 'string') {
    headers['content-type'] = 'message/rfc822';
    body = email;
  } else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(email);
  }
  return fetch(`${baseUrl}/api/v1/webhooks/email`, { method: 'POST', headers, body });
}

/** The .eml fixture addressed to `to`, from `from`, with its Message-ID and threading headers replaced as given. */
export function emlFixture(
  opts: { to?: string; from?: string; messageId?: string; inReplyTo?: string | null; references?: string | null; subject?: string } = {},
): string {
  let eml = rawFixture('email-reply-with-attachment.eml').toString('utf8');
  const set = (name: string, value: string | null | undefined) => {
    if (value === undefined) return;
    const pattern = new RegExp(`^${name}: .*$`, 'mi');
    eml = value === null ? eml.replace(new RegExp(`^${name}: .*\\r?\\n`, 'mi'), '') : eml.replace(pattern, `${name}: ${value}`);
  };
  set('To', opts.to);
  set('From', opts.from);
  set('Return-Path', opts.from);
  set('Message-ID', opts.messageId);
  set('In-Reply-To', opts.inReplyTo);
  set('References', opts.references);
  set('Subject', opts.subject);
  return eml;
}
