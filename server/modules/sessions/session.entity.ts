import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/**
 * A signed-in session: every tenant token names one (`sid`). Revoking it (logout) or all of a
 * user's (password change, suspension, role change) or all minted from an API key (the key's
 * revocation) ends those tokens at once, although the tokens themselves have not expired.
 */
export interface Session {
  id: string;
  tenantId: string;
  userId: string;
  /** Set when the token was minted by a caller using this API key: it dies with the key. */
  apiKeyId: string | null;
  /** A super-admin impersonating the user: the real actor. */
  impersonatorId: string | null;
  createdAt: Date;
  /** When the newest token of the session expires (for housekeeping; tokens carry their own expiry). */
  expiresAt: Date;
  revokedAt: Date | null;
}

export const SessionEntity = new EntitySchema<Session>({
  name: 'Session',
  tableName: 'user_sessions',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    userId: col.ref(),
    apiKeyId: col.ref(true),
    impersonatorId: col.ref(true),
    createdAt: col.time(),
    expiresAt: col.time(),
    revokedAt: col.time(true),
  },
});
