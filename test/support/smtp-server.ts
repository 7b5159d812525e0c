// A real SMTP server on 127.0.0.1 (the smtp-server library) standing in for the mail provider in
// tests: it records every message it accepts, raw and parsed, and can refuse messages (4xx/5xx)
// or connections on demand.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  /** A header of the raw message, unfolded, or undefined. */
  header(name: string): string | undefined;
}

export interface FakeSmtp {
  /** smtp://127.0.0.1:PORT (use it as SMTP_URL or an account's smtpUrl). */
  readonly url: string;
  readonly port: number;
  /** Every accepted message, in order. */
  readonly messages: ReceivedMail[];
  /** The next `count` messages are refused with this SMTP reply (e.g. 451 retry later, 550 no such user). */
  failNext(count: number, reply: { code: number; message: string }): void;
  /** Closes the listener: new connections are refused on the same port. */
  refuseConnections(): Promise<void>;
  /** Listens again on the same port. */
  acceptConnections(): Promise<void>;
  /** Forgets messages and pending failures; listens again if refusing. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function headerOf(raw: Buffer, name: string): string | undefined {
  const head = raw
    .toString('utf8')
    .split(/\r?\n\r?\n/)[0]
    .replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: ReceivedMail[] = [];
  const failures: { remaining: number; code: number; message: string }[] = [];
  let listening = false;
  let port = 0;

  // A closed SMTPServer answers 421 to every later connection, so each listen gets a new one.
  const create = () =>
    new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: no STARTTLS with a self-signed certificate to trip the client.
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 50,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const failure = failures[0];
          if (failure) {
            if (--failure.remaining <= 0) failures.shift();
            const err = new Error(failure.message) as Error & { responseCode: number };
            err.responseCode = failure.code;
            return callback(err);
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const mailFrom = session.envelope.mailFrom;
              messages.push({
                envelope: { from: mailFrom ? mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
                raw,
                parsed,
                header: (name) => headerOf(raw, name),
              });
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
  let server = create();

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = create();
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', reject);
        const address = server.server.address();
        if (address && typeof address === 'object') port = address.port;
        listening = true;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  await listen();
  return {
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    messages,
    failNext(count, reply) {
      if (count > 0) failures.push({ remaining: count, ...reply });
    },
    refuseConnections: close,
    acceptConnections: () => (listening ? Promise.resolve() : listen()),
    async reset() {
      messages.length = 0;
      failures.length = 0;
      if (!listening) await listen();
    },
    stop: close,
  };
}
