import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/**
 * How far an email account's IMAP folder has been read: the folder's UIDVALIDITY and the highest
 * UID already stored. Advanced in the same transaction that stores the mail, so a restart neither
 * loses nor repeats a message.
 */
export interface ImapCursor {
  id: string;
  tenantId: string;
  accountId: string;
  mailbox: string;
  /** The folder's UIDVALIDITY (a 32-bit number, kept as text); null before the first read. */
  uidValidity: string | null;
  lastUid: number;
  /** Whether the server pushes new mail (IDLE) on the current connection. */
  idle: boolean;
  lastPolledAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ImapCursorEntity = new EntitySchema<ImapCursor>({
  name: 'ImapCursor',
  tableName: 'imap_cursors',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    accountId: col.ref(),
    mailbox: col.string(200),
    uidValidity: col.string(20, true),
    lastUid: { type: 'integer', default: 0 },
    idle: col.bool(),
    lastPolledAt: col.time(true),
    lastError: col.string(500, true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
