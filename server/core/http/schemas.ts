// Schema pieces shared by many routes.
import { z } from 'zod';

// A missing field reads "Required" rather than zod's type-mismatch wording.
z.config({ customError: (issue) => (issue.input === undefined ? 'Required' : undefined) });

export const idParam = (name: string) =>
  z.object({
    [name]: z
      .string()
      .max(64)
      .describe(`The ${name.replace(/Id$/, '')}'s id`),
  });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size (1-200, default 50)'),
  cursor: z.string().max(64).optional().describe('nextCursor from the previous page'),
});

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const timestamp = z.iso.datetime();
export const email = z.string().trim().toLowerCase().email().max(320);
export const password = z.string().min(8, 'Must be at least 8 characters').max(200);
export const name = z.string().trim().min(1, 'Required').max(200);
