import { createTRPCRouter, protectedProcedure, rateLimit, access } from "../trpc.ts";
import { contactsHandler, searchUsersHandler, updateProfileHandler } from "./user/user.handler.ts";
import { searchSchema, updateProfileSchema } from "./user/user.schema.ts";

const searches = rateLimit({ scope: "user:search", capacity: 60, windowMs: 60_000 }, "searches");

export const userRouter = createTRPCRouter({
  updateProfile: protectedProcedure.meta(access("user")).input(updateProfileSchema).mutation(updateProfileHandler),
  // accounts only: a guest has nobody to start a DM with, and could otherwise probe who has an account
  search: protectedProcedure.meta(access("user")).meta(searches).input(searchSchema).query(searchUsersHandler),
  contacts: protectedProcedure.meta(access("user")).query(contactsHandler),
});
