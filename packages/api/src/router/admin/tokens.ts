import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { adminListApiTokensHandler, adminRevokeApiTokenHandler } from "../apiTokens/apiTokens.handler.ts";
import { byApiTokenSchema, listApiTokensSchema } from "../apiTokens/apiTokens.schema.ts";

export const adminTokensRouter = createTRPCRouter({
  list: adminProcedure.meta(access("admin")).input(listApiTokensSchema).query(adminListApiTokensHandler),
  revoke: adminProcedure.meta(access("admin")).input(byApiTokenSchema).mutation(adminRevokeApiTokenHandler),
});
