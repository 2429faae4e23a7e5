// PostgreSQL LIKE/ILIKE treat % and _ as wildcards and \ as their escape. Prisma's `contains`, `startsWith` and
// `endsWith` become LIKE without escaping them (prisma/prisma#19506), so a search for "%" would match everything.

/** `text` for a LIKE pattern (or Prisma's `contains`) that matches it literally. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (char) => `\\${char}`);
