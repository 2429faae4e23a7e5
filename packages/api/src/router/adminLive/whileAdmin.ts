// A subscription outlives the role check of its start (adminProcedure runs once, when it begins): every live feed
// of the console passes through this, so an admin demoted or deleted while watching gets nothing more.
import { TRPCError } from "@trpc/server";
import { loadSessionUser, type Context } from "../../trpc.ts";

/** How often the role is read again while a feed delivers. */
export const ADMIN_RECHECK_MS = 10_000;

/** `feed`'s items for as long as the caller is still an admin (checked again before an item due a check). */
export async function* whileAdmin<T>(ctx: Context, feed: AsyncIterable<T>): AsyncGenerator<T> {
  let checkedAt = Date.now();
  for await (const item of feed) {
    if (Date.now() - checkedAt >= ADMIN_RECHECK_MS) {
      const user = await loadSessionUser(ctx);
      if (user?.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only administrators can do this." });
      checkedAt = Date.now();
    }
    yield item;
  }
}
