import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { createBanHandler, liftBanHandler, listBansHandler } from "./bans.handler.ts";
import { createBanSchema, liftBanSchema, listBansSchema } from "./bans.schema.ts";

/** admin.bans: the random-chat bans (list, search, filter), a ban by name, and lifting one (with a reason). */
export const adminBansRouter = createTRPCRouter({
  list: adminProcedure.meta(access("admin")).input(listBansSchema).query(listBansHandler),
  create: adminProcedure.meta(access("admin")).input(createBanSchema).mutation(createBanHandler),
  lift: adminProcedure.meta(access("admin")).input(liftBanSchema).mutation(liftBanHandler),
});
