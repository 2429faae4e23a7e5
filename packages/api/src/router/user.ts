import { createTRPCRouter, guestOrUserProcedure, protectedProcedure, rateLimit, access, rest, tokenScope } from "../trpc.ts";
import { currentUserHandler, currentUserSchema } from "./user/current.ts";
import { blockHandler, blockedHandler, unblockHandler } from "./user/block.handler.ts";
import { blockSchema } from "./user/block.schema.ts";
import { contactsHandler, searchUsersHandler, updateProfileHandler } from "./user/user.handler.ts";
import { searchSchema, updateProfileSchema } from "./user/user.schema.ts";

const searches = rateLimit({ scope: "user:search", capacity: 60, windowMs: 60_000 }, "searches");
// blocking and unblocking over and over would flood the other person's presence and the audit log
const blockChanges = rateLimit({ scope: "user:block", capacity: 20, windowMs: 10 * 60_000 }, "block changes");

export const userRouter = createTRPCRouter({
  current: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(tokenScope("any"))
    .meta(rest({ method: "GET", path: "/me", summary: "Who the caller is (and the API token's scopes)", tags: ["Account"] }))
    .output(currentUserSchema)
    .query(currentUserHandler),
  updateProfile: protectedProcedure.meta(access("user")).input(updateProfileSchema).mutation(updateProfileHandler),
  // accounts only: a guest has nobody to start a DM with, and could otherwise probe who has an account
  search: protectedProcedure.meta(access("user")).meta(searches).input(searchSchema).query(searchUsersHandler),
  contacts: protectedProcedure.meta(access("user")).query(contactsHandler),
  block: protectedProcedure.meta(access("user")).meta(blockChanges).input(blockSchema).mutation(blockHandler),
  unblock: protectedProcedure.meta(access("user")).meta(blockChanges).input(blockSchema).mutation(unblockHandler),
  blocked: protectedProcedure.meta(access("user")).query(blockedHandler),
});
