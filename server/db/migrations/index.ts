import { Foundation1732600000000 } from './1732600000000-foundation.js';

/** Every migration, in order. Reviewed by hand; never generated at run time. */
export const migrations = [Foundation1732600000000];
