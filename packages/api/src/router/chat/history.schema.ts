import { z } from "zod";
import { storableText } from "../../schemas.ts";
import { conversationId } from "./conversation.schema.ts";

export const historySchema = z.object({
  conversationId,
  cursor: z
    .string()
    .regex(/^\d{1,15}_[0-9a-fA-F-]{36}$/, "cursor must be a nextCursor returned by chat.history")
    .optional(),
  limit: z.number().int().min(1, "limit is at least 1").max(100, "limit is at most 100").default(50),
});

export const searchSchema = z.object({
  conversationId,
  query: z
    .string()
    .trim()
    .min(1, "Type something to search for.")
    .max(200, "Searches are at most 200 characters.")
    .refine(...storableText("Searches")),
});

export type HistoryInput = z.infer<typeof historySchema>;
export type SearchInput = z.infer<typeof searchSchema>;
