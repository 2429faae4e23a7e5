import { z } from "zod";
import { MESSAGE_MAX } from "../../chat/chatService.ts";
import { storableText } from "../../schemas.ts";
import { conversationId } from "../chat/conversation.schema.ts";

const messageId = z.string().uuid("messageId must be a message id (UUID)");
const body = z
  .string()
  .trim()
  .min(1, "Write a message first.")
  // "4,000" written out: Number#toLocaleString loads ICU's locale data, 7 MB of every realtime node's idle memory
  .max(MESSAGE_MAX, `Messages are at most ${String(MESSAGE_MAX).replace(/\B(?=(\d{3})+$)/g, ",")} characters.`)
  // a message PostgreSQL cannot store would stay first in the outbox, holding back every message after it
  .refine(...storableText("Messages"));

export const eventsSchema = z
  .object({
    lastEventId: z
      .string()
      .regex(/^\d+-\d+$/, "lastEventId must be an event id from chat.events")
      .nullish(),
  })
  .default({});
export const sendSchema = z.object({
  conversationId,
  clientId: z.string().min(8, "clientId is at least 8 characters").max(64, "clientId is at most 64 characters"),
  body,
  replyToId: messageId.optional(),
});
export const editSchema = z.object({ messageId, body });
export const deleteSchema = z.object({ messageId });
export const typingSchema = z.object({ conversationId });
export const markReadSchema = z.object({ conversationId, messageId });
export const meetingConversationSchema = z.object({ meetingId: z.string().uuid("meetingId must be a meeting id (UUID)") });

export type MeetingConversationInput = z.infer<typeof meetingConversationSchema>;
