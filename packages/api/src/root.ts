import { adminRouter } from "./router/admin.ts";
import { authRouter } from "./router/auth.ts";
import { meetingRouter } from "./router/meeting.ts";
import { userRouter } from "./router/user.ts";
import { createTRPCRouter } from "./trpc.ts";

/** Served over HTTP by the web app at /api/trpc. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  user: userRouter,
  meeting: meetingRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
