import { createTRPCRouter, guestOrUserProcedure, realtimeServices } from "../trpc.ts";

export const presenceRouter = createTRPCRouter({
  /** Everyone online on any realtime node: the full list now, then again after every change. */
  online: guestOrUserProcedure.subscription(async function* ({ ctx, signal }) {
    yield* realtimeServices(ctx).presence.watch(signal);
  }),
});
