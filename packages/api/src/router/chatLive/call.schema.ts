import { z } from "zod";
import { conversationId } from "../chat/conversation.schema.ts";

const callId = z.string().uuid("callId must be a call id (UUID)");

export const startCallSchema = z.object({ conversationId, kind: z.enum(["AUDIO", "VIDEO"], { error: "kind is AUDIO or VIDEO" }) });
export const byCall = z.object({ callId });
