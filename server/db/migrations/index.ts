import { Foundation1732600000000 } from './1732600000000-foundation.js';
import { Messaging1732700000000 } from './1732700000000-messaging.js';

/** Every migration, in order. Reviewed by hand; never generated at run time. */
export const migrations = [Foundation1732600000000, Messaging1732700000000];
