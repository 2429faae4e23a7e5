import { z } from "zod";
import { conversationId } from "./conversation.schema.ts";

export const answerInvitationSchema = z.object({ conversationId });

export type AnswerInvitationInput = z.infer<typeof answerInvitationSchema>;
