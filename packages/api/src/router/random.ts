// Random video chat over the realtime socket: Start, Next, Stop, the person's event stream, and what goes to the
// current partner only (WebRTC signals, text, reactions). Guests and users alike; moderation's checks run inside
// Start and Next (random/randomService.ts).
import { DEFAULT_POLICY } from "../moderation/policy.ts";
import { issueIceServers } from "../services/turnCredentials.ts";
import { access, configuredRateLimit, createTRPCRouter, guestOrUserProcedure, handlerLimits, rateLimit } from "../trpc.ts";
import { randomCaller } from "./random/caller.ts";
import { randomEventsHandler } from "./random/events.handler.ts";
import { matchRef, nextSchema, reactSchema, sendSchema, signalSchema, startSchema } from "./random/random.schema.ts";

// moderation keeps its own buckets per device and address (and asks for a challenge first); this one only keeps a
// single account from flooding the matching scripts
const presses = rateLimit({ scope: "random:press", capacity: 120, windowMs: 60_000 }, "Start and Next presses");
const signals = configuredRateLimit("RATE_LIMIT_SIGNALS_PER_10S", { scope: "random:signal", windowMs: 10_000 }, "signals");
const messages = configuredRateLimit("RATE_LIMIT_CHAT_PER_10S", { scope: "random:send", windowMs: 10_000 }, "messages");
const reactions = rateLimit({ scope: "random:react", capacity: 20, windowMs: 10_000 }, "reactions");
// moderation's own buckets (moderation/safety.ts), checked inside Start and Next
const safetyBuckets = (press: "start" | "next") => {
  const what = press === "start" ? "Start presses" : "Next presses";
  return handlerLimits({ rule: DEFAULT_POLICY.buckets[press].ip, what, per: "address block" }, { rule: DEFAULT_POLICY.buckets[press].device, what, per: "device" });
};
const turnRefreshes = rateLimit({ scope: "random:turn", capacity: 30, windowMs: 3_600_000 }, "TURN credential requests");

export const randomRouter = createTRPCRouter({
  start: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(presses)
    .meta(safetyBuckets("start"))
    .input(startSchema)
    .mutation(({ ctx, input }) => {
      const { random, caller } = randomCaller(ctx);
      return random.begin(caller, input);
    }),
  next: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(presses)
    .meta(safetyBuckets("next"))
    .input(nextSchema)
    .mutation(({ ctx, input }) => {
      const { random, caller } = randomCaller(ctx);
      return random.next(caller, input);
    }),
  stop: guestOrUserProcedure.meta(access("guest or user")).mutation(({ ctx }) => randomCaller(ctx).random.leave(ctx.user.id, "stopped")),
  events: guestOrUserProcedure.meta(access("guest or user")).subscription(randomEventsHandler),
  signal: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(signals)
    .input(signalSchema)
    .mutation(async ({ ctx, input }) => {
      await randomCaller(ctx).random.relay(ctx.user.id, input.matchId, { type: "signal", matchId: input.matchId, signal: input.signal });
    }),
  send: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(messages)
    .input(sendSchema)
    .mutation(async ({ ctx, input }) => {
      const at = Date.now();
      await randomCaller(ctx).random.relay(ctx.user.id, input.matchId, { type: "message", matchId: input.matchId, text: input.text, at });
      return { at };
    }),
  /** Fresh ICE servers for a long call, before the ones the match came with expire: to the two in the match only. */
  iceServers: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(turnRefreshes)
    .input(matchRef)
    .query(async ({ ctx, input }) => {
      await randomCaller(ctx).random.inMatch(ctx.user.id, input.matchId);
      return issueIceServers(ctx.redis, ctx.user.id);
    }),
  react: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(reactions)
    .input(reactSchema)
    .mutation(async ({ ctx, input }) => {
      await randomCaller(ctx).random.relay(ctx.user.id, input.matchId, { type: "reaction", matchId: input.matchId, emoji: input.emoji });
    }),
});
