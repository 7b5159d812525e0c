// A real IMAP server on 127.0.0.1 (the hoodiecrow-imap library, in memory) standing in for a
// hosting provider's mailbox in tests: one user, an INBOX the test appends mail to (announced to
// idling clients at once), with IDLE or without it, and a UIDVALIDITY the test can change.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);
// hoodiecrow-imap is CommonJS without types.
const hoodiecrow = require('hoodiecrow-imap') as (options: Record<string, unknown>) => HoodiecrowServer;

interface HoodiecrowMailbox {
  uidvalidity: number;
  uidnext: number;
  messages: { uid: number; raw: string }[];
}
interface HoodiecrowServer {
  server: import('node:net').Server;
  getMailbox(path: string): HoodiecrowMailbox;
  appendMessage(mailbox: string, flags: string[], internaldate: string, raw: string): unknown;
  formatInternalDate(date: Date): string;
  connections?: unknown;
}

export interface FakeImap {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Puts a message in INBOX (as delivered by the provider), dated `at` (default now). */
  append(raw: string, at?: Date): void;
  /** How many messages INBOX holds. */
  count(): number;
  /** The folder is rebuilt: a new UIDVALIDITY, UIDs start again from 1, the messages kept. */
  renumber(): void;
  stop(): Promise<void>;
}

export async function startFakeImap(options: { idle?: boolean; user?: string; password?: string } = {}): Promise<FakeImap> {
  const user = options.user ?? 'cs@toko.example';
  const password = options.password ?? 'imap-password-123';
  const server = hoodiecrow({
    plugins: options.idle === false ? ['UIDPLUS'] : ['IDLE', 'UIDPLUS'],
    users: { [user]: { password } },
    storage: { INBOX: { messages: [], uidvalidity: 1000 }, '': {} },
  });
  const sockets = new Set<import('node:net').Socket>();
  server.server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    append(raw, at = new Date()) {
      server.appendMessage('INBOX', [], server.formatInternalDate(at), raw.replace(/\r?\n/g, '\r\n'));
    },
    count: () => server.getMailbox('INBOX').messages.length,
    renumber() {
      const box = server.getMailbox('INBOX');
      box.uidvalidity += 1;
      box.messages.forEach((m, i) => {
        m.uid = i + 1;
      });
      box.uidnext = box.messages.length + 1;
      // Clients learn the new UIDVALIDITY when they select the folder again.
      for (const s of sockets) s.destroy();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.server.close(() => resolve()));
    },
  };
}
