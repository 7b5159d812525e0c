// Midtrans, the payment provider for the Indonesian market, as documented by Midtrans:
//   - Snap: POST {snap}/snap/v1/transactions (Basic auth: the server key and an empty password) with
//     {transaction_details: {order_id, gross_amount}, item_details, customer_details, callbacks}
//     answers 201 {token, redirect_url}: the hosted payment page the payer is sent to. Errors answer
//     4xx/5xx {error_messages: [...]}. `X-Override-Notification` sets this transaction's
//     notification URL.
//   - HTTP notification: POSTed JSON with order_id, status_code, gross_amount ("150000.00"),
//     transaction_status (capture, settlement, pending, deny, cancel, expire, failure, refund,
//     partial_refund), fraud_status, payment_type, transaction_id and signature_key =
//     SHA512(order_id + status_code + gross_amount + ServerKey).
//   - Refund: POST {api}/v2/{order_id}/refund {refund_key, amount, reason}; the Core API answers
//     HTTP 200 with its own status_code in the body ("200" for success).
// Base URLs: sandbox (app.sandbox.midtrans.com, api.sandbox.midtrans.com) or production
// (app.midtrans.com, api.midtrans.com); MIDTRANS_SNAP_URL / MIDTRANS_API_URL override them.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';

export interface MidtransConfig {
  serverKey: string;
  environment: 'sandbox' | 'production';
}

export function midtransUrls(config: Config, environment: 'sandbox' | 'production') {
  const production = environment === 'production';
  return {
    snap: (config.MIDTRANS_SNAP_URL ?? (production ? 'https://app.midtrans.com' : 'https://app.sandbox.midtrans.com')).replace(/\/+$/, ''),
    api: (config.MIDTRANS_API_URL ?? (production ? 'https://api.midtrans.com' : 'https://api.sandbox.midtrans.com')).replace(/\/+$/, ''),
  };
}

export function midtransSignature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`).digest('hex');
}

export function signatureMatches(
  body: { order_id: string; status_code: string; gross_amount: string; signature_key: string },
  serverKey: string,
): boolean {
  const expected = Buffer.from(midtransSignature(body.order_id, body.status_code, body.gross_amount, serverKey), 'utf8');
  const given = Buffer.from(body.signature_key.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A failure the provider reported (status and its messages); `retryable` for 5xx and 429. */
export class MidtransError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const authHeader = (serverKey: string) => `Basic ${Buffer.from(`${serverKey}:`).toString('base64')}`;

async function call(url: string, serverKey: string, body: unknown, headers: Record<string, string> = {}) {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', authorization: authHeader(serverKey), ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    throw new MidtransError(`Midtrans could not be reached: ${(err as Error).message}`, 0, true);
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return { status: res.status, json };
}

const messages = (json: Record<string, unknown>) =>
  Array.isArray(json.error_messages) ? json.error_messages.map(String).join('; ') : String(json.status_message ?? '');

export interface SnapRequest {
  orderId: string;
  grossAmount: number;
  items: { id: string; name: string; price: number; quantity: number }[];
  customer: { firstName: string; email?: string | null };
  finishUrl?: string | null;
  notificationUrl?: string | null;
  enabledPayments?: string[];
}

export async function createSnapTransaction(
  urls: { snap: string },
  serverKey: string,
  req: SnapRequest,
): Promise<{ token: string; redirectUrl: string }> {
  const body: Record<string, unknown> = {
    transaction_details: { order_id: req.orderId, gross_amount: req.grossAmount },
    item_details: req.items.map((i) => ({ id: i.id, name: i.name.slice(0, 50), price: i.price, quantity: i.quantity })),
    customer_details: { first_name: req.customer.firstName.slice(0, 255), ...(req.customer.email ? { email: req.customer.email } : {}) },
    credit_card: { secure: true },
  };
  if (req.finishUrl) body.callbacks = { finish: req.finishUrl };
  if (req.enabledPayments?.length) body.enabled_payments = req.enabledPayments;
  const { status, json } = await call(
    `${urls.snap}/snap/v1/transactions`,
    serverKey,
    body,
    req.notificationUrl ? { 'X-Override-Notification': req.notificationUrl } : {},
  );
  if (status === 201 || status === 200) {
    if (typeof json.token !== 'string' || typeof json.redirect_url !== 'string')
      throw new MidtransError('Midtrans answered without a token', status, true);
    return { token: json.token, redirectUrl: json.redirect_url };
  }
  throw new MidtransError(`Midtrans refused the transaction (${status}): ${messages(json)}`, status, status >= 500 || status === 429);
}

export async function refundTransaction(
  urls: { api: string },
  serverKey: string,
  req: { orderId: string; refundKey: string; amount: number; reason: string },
): Promise<{ refundChargebackId: string | null }> {
  const { status, json } = await call(`${urls.api}/v2/${encodeURIComponent(req.orderId)}/refund`, serverKey, {
    refund_key: req.refundKey,
    amount: req.amount,
    reason: req.reason,
  });
  const code = Number(json.status_code ?? status);
  if (status >= 200 && status < 300 && code === 200)
    return { refundChargebackId: json.refund_chargeback_id == null ? null : String(json.refund_chargeback_id) };
  const retryable = status >= 500 || status === 429 || code >= 500 || status === 0;
  throw new MidtransError(`Midtrans refused the refund (${code}): ${messages(json)}`, code, retryable);
}

/** Midtrans writes gross_amount with two decimals ("150000.00"); ours are whole rupiah. */
export function parseGrossAmount(value: string): number | null {
  if (!/^\d+(\.\d{1,2})?$/.test(value)) return null;
  return Math.round(Number(value));
}
