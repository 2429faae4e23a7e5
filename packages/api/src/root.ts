import { adminRouter } from "./router/admin.ts";
import { apiTokensRouter } from "./router/apiTokens.ts";
import { authRouter } from "./router/auth.ts";
import { chatRouter } from "./router/chat.ts";
import { meetingRouter } from "./router/meeting.ts";
import { metricsRouter } from "./router/metrics.ts";
import { userRouter } from "./router/user.ts";
import { webhooksRouter } from "./router/webhooks.ts";
import { createTRPCRouter } from "./trpc.ts";

/** Served over HTTP by the web app at /api/trpc. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  user: userRouter,
  meeting: meetingRouter,
  admin: adminRouter,
  chat: chatRouter,
  metrics: metricsRouter,
  apiTokens: apiTokensRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
