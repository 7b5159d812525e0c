// A fake of Midtrans as a real HTTP server on 127.0.0.1, with the documented shapes: Snap's
// POST /snap/v1/transactions (Basic auth with the server key; transaction_details.order_id and
// gross_amount; item_details must add up to gross_amount; a used order_id is refused) answering
// 201 {token, redirect_url}; the Core API's POST /v2/{order_id}/refund answering 200 with its own
// status_code in the body; and the hosted page at /snap/v2/vtweb/{token}. It records every request,
// fails on demand, and sends HTTP notifications signed with SHA512(order_id + status_code +
// gross_amount + server key) to the URL a transaction named (X-Override-Notification) or a given one.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';

export interface MidtransRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface Transaction {
  orderId: string;
  grossAmount: number;
  token: string;
  transactionId: string;
  status: string;
  notificationUrl: string | null;
  request: any;
}

export interface FakeMidtrans {
  readonly url: string;
  readonly requests: MidtransRequest[];
  readonly transactions: Map<string, Transaction>;
  /** The next `count` requests whose path matches answer `status` with `body`. */
  failNext(count: number, failure: { status: number; body?: unknown; path?: RegExp }): void;
  /** The notification Midtrans would send for this order in this status (signed), without sending it. */
  notification(orderId: string, status: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Sends the notification for this order to `url` (default: the one the transaction named); answers the receiver's status and body. */
  notify(
    orderId: string,
    status: string,
    opts?: { url?: string; extra?: Record<string, unknown>; body?: unknown },
  ): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

const STATUS_CODE: Record<string, string> = {
  settlement: '200',
  capture: '200',
  pending: '201',
  deny: '202',
  cancel: '202',
  expire: '407',
  failure: '202',
  refund: '200',
  partial_refund: '200',
};

export function midtransSignature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`).digest('hex');
}

export async function startFakeMidtrans(serverKey: string): Promise<FakeMidtrans> {
  const requests: MidtransRequest[] = [];
  const transactions = new Map<string, Transaction>();
  const failures: { count: number; status: number; body?: unknown; path?: RegExp }[] = [];
  let url = '';

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const path = (req.url ?? '/').split('?')[0];
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    const failure = failures.find((f) => f.count > 0 && (!f.path || f.path.test(path)));
    if (failure) {
      failure.count--;
      return send(failure.status, failure.body ?? { error_messages: ['Simulated failure'] });
    }
    const auth = req.headers.authorization ?? '';
    const authorized = auth === `Basic ${Buffer.from(`${serverKey}:`).toString('base64')}`;

    if (req.method === 'GET' && path.startsWith('/snap/v2/vtweb/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Midtrans (fake) payment page</h1></body></html>');
      return;
    }
    if (req.method === 'POST' && path === '/snap/v1/transactions') {
      if (!authorized)
        return send(401, { error_messages: ['Access denied due to unauthorized transaction, please check client or server key'] });
      const details = body?.transaction_details;
      const errors: string[] = [];
      if (!details?.order_id) errors.push('transaction_details.order_id is required');
      if (!Number.isInteger(details?.gross_amount) || details.gross_amount < 1)
        errors.push('transaction_details.gross_amount is not valid');
      if (Array.isArray(body?.item_details)) {
        const sum = body.item_details.reduce((s: number, i: any) => s + i.price * i.quantity, 0);
        if (sum !== details?.gross_amount) errors.push('transaction_details.gross_amount is not equal to the sum of item_details');
      }
      if (details?.order_id && transactions.has(details.order_id)) errors.push('transaction_details.order_id has already been taken');
      if (errors.length) return send(400, { error_messages: errors });
      const token = randomUUID();
      transactions.set(details.order_id, {
        orderId: details.order_id,
        grossAmount: details.gross_amount,
        token,
        transactionId: randomUUID(),
        status: 'pending',
        notificationUrl: (req.headers['x-override-notification'] as string | undefined) ?? null,
        request: body,
      });
      return send(201, { token, redirect_url: `${url}/snap/v2/vtweb/${token}` });
    }
    const refund = /^\/v2\/([^/]+)\/refund$/.exec(path);
    if (req.method === 'POST' && refund) {
      if (!authorized) return send(401, { status_code: '401', status_message: 'Unauthorized' });
      const orderId = decodeURIComponent(refund[1]);
      const tx = transactions.get(orderId);
      // The Core API answers HTTP 200 with its own status_code.
      if (!tx) return send(200, { status_code: '404', status_message: "Transaction doesn't exist." });
      if (tx.status !== 'settlement' && tx.status !== 'partial_refund')
        return send(200, { status_code: '412', status_message: 'Merchant cannot modify the status of the transaction' });
      tx.status = body?.amount < tx.grossAmount ? 'partial_refund' : 'refund';
      return send(200, {
        status_code: '200',
        status_message: 'Success, refund request is approved',
        transaction_id: tx.transactionId,
        order_id: orderId,
        gross_amount: `${tx.grossAmount}.00`,
        currency: 'IDR',
        payment_type: 'credit_card',
        transaction_status: tx.status,
        refund_chargeback_id: Math.floor(Math.random() * 1e6),
        refund_amount: `${body?.amount}.00`,
        refund_key: body?.refund_key,
      });
    }
    send(404, { status_code: '404', status_message: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const fake: FakeMidtrans = {
    get url() {
      return url;
    },
    requests,
    transactions,
    failNext(count, failure) {
      failures.push({ count, ...failure });
    },
    notification(orderId, status, extra = {}) {
      const tx = transactions.get(orderId);
      const gross = `${tx?.grossAmount ?? 0}.00`;
      const statusCode = STATUS_CODE[status] ?? '200';
      if (tx) tx.status = status;
      return {
        transaction_time: '2026-01-15 10:00:00',
        transaction_status: status,
        transaction_id: tx?.transactionId ?? randomUUID(),
        status_message: 'midtrans payment notification',
        status_code: statusCode,
        signature_key: midtransSignature(orderId, statusCode, gross, serverKey),
        payment_type: 'bank_transfer',
        order_id: orderId,
        merchant_id: 'G123456789',
        gross_amount: gross,
        fraud_status: 'accept',
        currency: 'IDR',
        va_numbers: [{ bank: 'bca', va_number: '12345678901' }],
        ...extra,
      };
    },
    async notify(orderId, status, opts = {}) {
      const target = opts.url ?? transactions.get(orderId)?.notificationUrl;
      if (!target) throw new Error(`No notification URL for ${orderId}`);
      const body = opts.body ?? fake.notification(orderId, status, opts.extra);
      const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.text() };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}
