// Keyset paging for the admin console's tables: a page is "the next `limit` rows after this (time, id)", so a
// page costs the same deep in a million rows and rows added meanwhile neither repeat nor go missing (OFFSET does
// both). The cursor is opaque to the client; a made-up or damaged one is a clear BAD_REQUEST, never a 500.
import { TRPCError } from "@trpc/server";
import { z } from "zod";

/** Input of every paged admin list (extend it with the list's own filters). */
export const keysetPageSchema = z.object({
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(100).default(50),
});

export interface KeysetPosition {
  at: Date;
  /** ties at the same time are broken by id, so no row is skipped or repeated */
  id: string;
}

export function encodeCursor({ at, id }: KeysetPosition): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

const cursorShape = z.tuple([z.iso.datetime(), z.string().min(1).max(64)]);

export function decodeCursor(cursor: string): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  const result = cursorShape.safeParse(parsed);
  if (!result.success) throw new TRPCError({ code: "BAD_REQUEST", message: "This page link is not valid any more: start again from the first page." });
  return { at: new Date(result.data[0]), id: result.data[1] };
}

/**
 * The Prisma `where` for "after the cursor" on (timeField, id), newest first (`desc`) or oldest first (`asc`);
 * `{}` on the first page. Pair it with `orderBy: [{ [timeField]: order }, { id: order }]` and `take: limit + 1`.
 */
export function afterCursor(cursor: string | null | undefined, timeField: string, order: "asc" | "desc"): Record<string, unknown> {
  if (!cursor) return {};
  const { at, id } = decodeCursor(cursor);
  const beyond = order === "desc" ? "lt" : "gt";
  return { OR: [{ [timeField]: { [beyond]: at } }, { [timeField]: at, id: { [beyond]: id } }] };
}

/** Cuts the extra row fetched with `take: limit + 1` and turns the last kept row into the next page's cursor. */
export function keysetPage<Row>(rows: Row[], limit: number, positionOf: (row: Row) => KeysetPosition): { items: Row[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}
