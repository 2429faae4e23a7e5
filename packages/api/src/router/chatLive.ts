// Chat over the realtime socket: the live event stream and everything that broadcasts (send, edit, delete,
// typing, read markers). Reading history and changing members are HTTP (chat.ts).
import { change, markRead, send, typing } from "../chat/chatService.ts";
import { createTRPCRouter, guestOrUserProcedure, rateLimit, configuredRateLimit, access, tokenScope } from "../trpc.ts";
import { chatEventsHandler } from "./chatLive/events.handler.ts";
import { meetingConversationHandler } from "./chatLive/meetingConversation.handler.ts";
import { deleteSchema, editSchema, eventsSchema, markReadSchema, meetingConversationSchema, sendSchema, typingSchema } from "./chatLive/message.schema.ts";

const messages = configuredRateLimit("RATE_LIMIT_CHAT_PER_10S", { scope: "chat:send", windowMs: 10_000 }, "messages");
// a client sends "typing" at most every ~2 s while the user types; this leaves room for a few conversations
const typingLimit = rateLimit({ scope: "chat:typing", capacity: 10, windowMs: 10_000 }, "typing notices");
const reads = rateLimit({ scope: "chat:read", capacity: 60, windowMs: 10_000 }, "read updates");

export const chatLiveRouter = createTRPCRouter({
  events: guestOrUserProcedure.meta(access("guest or user")).meta(tokenScope("chat:read")).input(eventsSchema).subscription(chatEventsHandler),
  send: guestOrUserProcedure
    .meta(access("guest or user", "conversation member"))
    .meta(tokenScope("chat:send"))
    .meta(messages)
    .input(sendSchema)
    .mutation(({ ctx, input }) => send(ctx, ctx.user, input)),
  edit: guestOrUserProcedure
    .meta(access("guest or user", "message sender"))
    .meta(tokenScope("chat:send"))
    .meta(messages)
    .input(editSchema)
    .mutation(({ ctx, input }) => change(ctx, ctx.user, input.messageId, input.body)),
  delete: guestOrUserProcedure
    .meta(access("guest or user", "message sender"))
    .meta(tokenScope("chat:send"))
    .meta(messages)
    .input(deleteSchema)
    .mutation(({ ctx, input }) => change(ctx, ctx.user, input.messageId, null)),
  typing: guestOrUserProcedure
    .meta(access("guest or user", "conversation member"))
    .meta(tokenScope("chat:send"))
    .meta(typingLimit)
    .input(typingSchema)
    .mutation(async ({ ctx, input }) => {
      await typing(ctx, ctx.user, input.conversationId);
    }),
  markRead: guestOrUserProcedure
    .meta(access("guest or user", "conversation member"))
    .meta(tokenScope("chat:read"))
    .meta(reads)
    .input(markReadSchema)
    .mutation(({ ctx, input }) => markRead(ctx, ctx.user, input.conversationId, input.messageId)),
  meetingConversation: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(tokenScope("chat:read"))
    .input(meetingConversationSchema)
    .mutation(meetingConversationHandler),
});
