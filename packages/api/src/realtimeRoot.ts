import { adminLiveRouter } from "./router/adminLive.ts";
import { me } from "./router/auth.ts";
import { botRouter } from "./router/bot.ts";
import { callRouter } from "./router/call.ts";
import { chatLiveRouter } from "./router/chatLive.ts";
import { lobbyRouter } from "./router/lobby.ts";
import { mediaRouter } from "./router/media.ts";
import { moderationRouter } from "./router/moderation.ts";
import { presenceRouter } from "./router/presence.ts";
import { randomRouter } from "./router/random.ts";
import { roomRouter } from "./router/room.ts";
import { createTRPCRouter } from "./trpc.ts";

/** Served over WebSocket by the realtime server (kept apart from root.ts: it loads mediasoup). */
export const realtimeRouter = createTRPCRouter({
  auth: createTRPCRouter({ me }),
  presence: presenceRouter,
  room: roomRouter,
  lobby: lobbyRouter,
  media: mediaRouter,
  bot: botRouter,
  chat: chatLiveRouter,
  // "call" is a reserved word in tRPC routers (it would shadow the router's own call method)
  calls: callRouter,
  moderation: moderationRouter,
  random: randomRouter,
  adminLive: adminLiveRouter,
});

export type RealtimeRouter = typeof realtimeRouter;
