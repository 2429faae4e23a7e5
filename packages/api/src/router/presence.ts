import { contactIds, watchConversationChanges } from "../chat/contacts.ts";
import { createTRPCRouter, protectedProcedure, realtimeServices, access } from "../trpc.ts";

export const presenceRouter = createTRPCRouter({
  /**
   * Which of your contacts (people you share a DM or a group with) are online on any realtime node: the list now,
   * then again after every change. Accounts only: a guest has no contacts, and nobody else learns who is online.
   */
  online: protectedProcedure.meta(access("user")).subscription(async function* ({ ctx, signal }) {
    const { presence, bus } = realtimeServices(ctx);
    const userId = ctx.user.id;
    yield* presence.feed.watch(signal, {
      read: () => contactIds(ctx.db, userId),
      watch: (changed) => watchConversationChanges(bus, userId, changed),
    });
  }),
});
