import { adminRouter } from "./router/admin.ts";
import { authRouter, me } from "./router/auth.ts";
import { meetingRouter } from "./router/meeting.ts";
import { presenceRouter } from "./router/presence.ts";
import { userRouter } from "./router/user.ts";
import { createTRPCRouter } from "./trpc.ts";

/** Served over HTTP by the web app at /api/trpc. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  user: userRouter,
  meeting: meetingRouter,
  admin: adminRouter,
});

/** Served over WebSocket by the realtime server. */
export const realtimeRouter = createTRPCRouter({
  auth: createTRPCRouter({ me }),
  presence: presenceRouter,
});

export type AppRouter = typeof appRouter;
export type RealtimeRouter = typeof realtimeRouter;
