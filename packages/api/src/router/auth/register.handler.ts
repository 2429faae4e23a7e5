import { TRPCError } from "@trpc/server";
import { verifySolution } from "@qualmeet/challenge";
import { challengeSecret } from "../../env.ts";
import { registerSubject } from "../../services/signInGuard.ts";
import type { Context } from "../../trpc.ts";
import { fieldError } from "../../errors.ts";
import { hashPassword } from "../../services/password.ts";
import { isUniqueViolation } from "../../services/prismaErrors.ts";
import type { RegisterInput } from "./register.schema.ts";

export async function registerHandler({ ctx, input }: { ctx: Context; input: RegisterInput }) {
  const check = await verifySolution(ctx.redis, input.challenge, registerSubject(ctx.ip), { secret: challengeSecret() });
  if (!check.ok) throw new TRPCError({ code: "FORBIDDEN", message: "The check of this browser did not pass. Reload the page and try again." });
  const taken = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (taken) throw fieldError("CONFLICT", "email", "An account with this email already exists. Sign in instead.");
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await ctx.db.user.create({
      data: { name: input.name, email: input.email, passwordHash },
      select: { id: true, name: true, email: true },
    });
    await ctx.db.auditLog.create({ data: { actorId: user.id, action: "user.register", targetType: "user", targetId: user.id, ip: ctx.ip } });
    return user;
  } catch (error) {
    // two registrations racing for one email: the unique index decides
    if (isUniqueViolation(error)) throw fieldError("CONFLICT", "email", "An account with this email already exists. Sign in instead.");
    throw error;
  }
}
