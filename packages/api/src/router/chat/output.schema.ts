// What the chat procedures served over HTTP answer, as zod (the types of chat/types.ts): tRPC checks every answer
// against it (`.output()`), and the OpenAPI document and docs/api.md describe the same schemas.
import { z } from "zod";
import { timestamp } from "../../schemas.ts";
import type { CallEntry, ChatHistoryPage, ChatMessage, ChatUser, ConversationMemberInfo, ConversationSummary } from "../../chat/types.ts";

export const chatUserSchema = z.object({ id: z.string(), name: z.string(), isGuest: z.boolean() }) satisfies z.ZodType<ChatUser>;

export const chatMessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  clientId: z.string().describe("the id the sender's client gave it (resending with the same id stores it once)"),
  sender: chatUserSchema,
  body: z.string().describe('"" when deleted'),
  replyTo: z.object({ id: z.string(), body: z.string(), senderName: z.string() }).nullable(),
  createdAt: timestamp,
  editedAt: timestamp.nullable(),
  deletedAt: timestamp.nullable(),
}) satisfies z.ZodType<ChatMessage>;

const memberRole = z.enum(["ADMIN", "MEMBER"]);

export const conversationMemberSchema = chatUserSchema.extend({
  role: memberRole,
  online: z.boolean(),
  lastSeenAt: timestamp.nullable(),
  lastReadAt: timestamp.nullable().describe("createdAt of the newest message this member has read"),
}) satisfies z.ZodType<ConversationMemberInfo>;

export const conversationSchema = z.object({
  id: z.string(),
  kind: z.enum(["DIRECT", "GROUP", "MEETING"]),
  title: z.string().describe("a direct conversation's title is the other member's name"),
  members: z.array(conversationMemberSchema),
  lastMessage: chatMessageSchema.nullable(),
  lastMessageAt: timestamp.nullable(),
  unread: z.number().int(),
  myRole: memberRole,
  meetingCode: z.string().nullable().describe("the meeting whose chat this is"),
}) satisfies z.ZodType<ConversationSummary>;

export const callEntrySchema = z.object({
  id: z.string(),
  kind: z.enum(["AUDIO", "VIDEO"]),
  status: z.enum(["RINGING", "ONGOING", "ENDED", "MISSED", "DECLINED", "CANCELLED"]),
  startedAt: timestamp,
  answeredAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
  startedBy: chatUserSchema,
}) satisfies z.ZodType<CallEntry>;

export const historyPageSchema = z.object({
  messages: z.array(chatMessageSchema).describe("newest first"),
  calls: z.array(callEntrySchema).describe("the calls of the same stretch of time"),
  nextCursor: z.string().nullable().describe("pass it as `cursor` for older messages; null at the beginning"),
}) satisfies z.ZodType<ChatHistoryPage>;
