import { z } from "zod";
import { displayName } from "../schemas.ts";
import { createTRPCRouter, protectedProcedure } from "../trpc.ts";

export const userRouter = createTRPCRouter({
  updateProfile: protectedProcedure.input(z.object({ name: displayName })).mutation(async ({ ctx, input }) => {
    return ctx.db.user.update({
      where: { id: ctx.user.id },
      data: { name: input.name },
      select: { id: true, name: true, email: true },
    });
  }),
});
