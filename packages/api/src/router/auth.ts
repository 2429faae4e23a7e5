import { createTRPCRouter, loadSessionUser, protectedProcedure, publicProcedure, configuredRateLimit, access } from "../trpc.ts";
import { challengeHandler } from "./auth/challenge.handler.ts";
import { challengeSchema } from "./auth/challenge.schema.ts";
import { registerHandler } from "./auth/register.handler.ts";
import { registerSchema } from "./auth/register.schema.ts";
import { signOutEverywhereHandler } from "./auth/signOutEverywhere.handler.ts";

/** The signed-in user (or guest), or null. Served by both the web and the realtime server. */
export const me = publicProcedure.meta(access("anyone")).query(async ({ ctx }) => {
  const user = await loadSessionUser(ctx);
  return user ? { id: user.id, name: user.name, email: user.email, role: user.role, isGuest: user.isGuest } : null;
});

export const authRouter = createTRPCRouter({
  me,
  challenge: publicProcedure.meta(access("anyone")).input(challengeSchema).mutation(challengeHandler),
  register: publicProcedure
    .meta(access("anyone"))
    .meta(configuredRateLimit("RATE_LIMIT_REGISTER_PER_HOUR", { scope: "register:ip", windowMs: 3_600_000 }, "registrations from your network", "ip"))
    .input(registerSchema)
    .mutation(registerHandler),
  signOutEverywhere: protectedProcedure.meta(access("user")).mutation(signOutEverywhereHandler),
});
