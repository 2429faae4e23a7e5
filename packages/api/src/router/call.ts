// Calls from a conversation over the realtime socket: ring, answer, decline, hang up (chat/calls.ts).
import { acceptCall, cancelCall, declineCall, startCall } from "../chat/calls.ts";
import { createTRPCRouter, protectedProcedure, rateLimit, access } from "../trpc.ts";
import { byCall, startCallSchema } from "./chatLive/call.schema.ts";

const calls = rateLimit({ scope: "call:start", capacity: 10, windowMs: 60_000 }, "calls");

export const callRouter = createTRPCRouter({
  start: protectedProcedure
    .meta(access("user", "conversation member"))
    .meta(calls)
    .input(startCallSchema)
    .mutation(({ ctx, input }) => startCall(ctx, ctx.user, input.conversationId, input.kind)),
  accept: protectedProcedure
    .meta(access("user", "call party"))
    .input(byCall)
    .mutation(({ ctx, input }) => acceptCall(ctx, ctx.user, input.callId)),
  decline: protectedProcedure
    .meta(access("user", "call party"))
    .input(byCall)
    .mutation(async ({ ctx, input }) => {
      await declineCall(ctx, ctx.user, input.callId);
    }),
  cancel: protectedProcedure
    .meta(access("user", "call party"))
    .input(byCall)
    .mutation(async ({ ctx, input }) => {
      await cancelCall(ctx, ctx.user, input.callId);
    }),
});
