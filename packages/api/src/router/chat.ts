// Conversations over HTTP (the web app): lists, history, search and membership. Live delivery, sending and
// calls are on the realtime server (chatLive.ts, call.ts). DMs and groups need an account; a guest reads the
// chat of a meeting it took part in through `chat.get`/`chat.history` like anyone else.
import { z } from "zod";
import { conversationSummary, listConversations } from "../chat/conversations.ts";
import { createTRPCRouter, guestOrUserProcedure, protectedProcedure, rateLimit, access, rest, tokenScope, type RestRoute } from "../trpc.ts";
import { addMembersHandler, createDirectHandler, createGroupHandler, removeMemberHandler, renameHandler } from "./chat/conversation.handler.ts";
import { addMembersSchema, byConversation, createDirectSchema, createGroupSchema, removeMemberSchema, renameSchema } from "./chat/conversation.schema.ts";
import { historyHandler, searchHandler } from "./chat/history.handler.ts";
import { acceptInvitationHandler, declineInvitationHandler, invitationsHandler } from "./chat/invitation.handler.ts";
import { answerInvitationSchema } from "./chat/invitation.schema.ts";
import { historySchema, searchSchema } from "./chat/history.schema.ts";
import { chatMessageSchema, conversationSchema, historyPageSchema } from "./chat/output.schema.ts";

const read = tokenScope("chat:read");
const route = (path: RestRoute["path"], summary: string) => rest({ method: "GET", path, summary, tags: ["Chat"] });

const changes = rateLimit({ scope: "chat:change", capacity: 30, windowMs: 60_000 }, "conversation changes");

export const chatRouter = createTRPCRouter({
  list: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(read)
    .meta(route("/conversations", "The caller's conversations, most recent first"))
    .output(z.array(conversationSchema))
    .query(({ ctx }) => listConversations(ctx, ctx.user.id)),
  get: guestOrUserProcedure
    .meta(access("guest or user", "conversation member"))
    .meta(read)
    .meta(route("/conversations/{conversationId}", "One conversation of the caller's"))
    .input(byConversation)
    .output(conversationSchema)
    .query(({ ctx, input }) => conversationSummary(ctx, ctx.user.id, input.conversationId)),
  history: guestOrUserProcedure
    .meta(access("guest or user", "conversation member"))
    .meta(read)
    .meta(route("/conversations/{conversationId}/messages", "A conversation's messages and calls, newest first, a page at a time"))
    .input(historySchema)
    .output(historyPageSchema)
    .query(historyHandler),
  search: guestOrUserProcedure
    .meta(access("guest or user", "conversation member"))
    .meta(read)
    .meta(route("/conversations/{conversationId}/search", "Messages of a conversation that contain the words searched for"))
    .input(searchSchema)
    .output(z.array(chatMessageSchema))
    .query(searchHandler),
  createDirect: protectedProcedure.meta(access("user")).meta(changes).input(createDirectSchema).mutation(createDirectHandler),
  createGroup: protectedProcedure.meta(access("user")).meta(changes).input(createGroupSchema).mutation(createGroupHandler),
  rename: protectedProcedure.meta(access("user", "group admin")).meta(changes).input(renameSchema).mutation(renameHandler),
  addMembers: protectedProcedure.meta(access("user", "group admin")).meta(changes).input(addMembersSchema).mutation(addMembersHandler),
  removeMember: protectedProcedure.meta(access("user", "group admin")).meta(changes).input(removeMemberSchema).mutation(removeMemberHandler),
  // groups that ask the caller to (re)join them: their name and who asked, nothing of their history
  invitations: protectedProcedure.meta(access("user")).query(invitationsHandler),
  acceptInvitation: protectedProcedure.meta(access("user", "invitee")).meta(changes).input(answerInvitationSchema).mutation(acceptInvitationHandler),
  declineInvitation: protectedProcedure.meta(access("user", "invitee")).meta(changes).input(answerInvitationSchema).mutation(declineInvitationHandler),
});
