import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { banUserHandler, searchUsersHandler, setRoleHandler, signOutUserHandler, userPageHandler } from "./users.handler.ts";
import { banUserSchema, searchUsersSchema, setRoleSchema, signOutUserSchema, userPageSchema } from "./users.schema.ts";

/** admin.users.*: the console's Users page and a user's page. */
export const adminUsersRouter = createTRPCRouter({
  search: adminProcedure.meta(access("admin")).input(searchUsersSchema).query(searchUsersHandler),
  get: adminProcedure.meta(access("admin")).input(userPageSchema).query(userPageHandler),
  setRole: adminProcedure.meta(access("admin")).input(setRoleSchema).mutation(setRoleHandler),
  signOutEverywhere: adminProcedure.meta(access("admin")).input(signOutUserSchema).mutation(signOutUserHandler),
  ban: adminProcedure.meta(access("admin")).input(banUserSchema).mutation(banUserHandler),
});
