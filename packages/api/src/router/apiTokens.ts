// Personal access tokens of the signed-in user (/settings/tokens). Tokens cannot manage tokens: only a session can.
import { access, createTRPCRouter, protectedProcedure, rateLimit } from "../trpc.ts";
import { createApiTokenHandler, listApiTokensHandler, revokeApiTokenHandler } from "./apiTokens/apiTokens.handler.ts";
import { byApiTokenSchema, createApiTokenSchema } from "./apiTokens/apiTokens.schema.ts";

const creations = rateLimit({ scope: "apitoken:create", capacity: 10, windowMs: 60 * 60_000 }, "new API tokens");

export const apiTokensRouter = createTRPCRouter({
  create: protectedProcedure.meta(access("user")).meta(creations).input(createApiTokenSchema).mutation(createApiTokenHandler),
  list: protectedProcedure.meta(access("user")).query(listApiTokensHandler),
  revoke: protectedProcedure.meta(access("user")).input(byApiTokenSchema).mutation(revokeApiTokenHandler),
});
