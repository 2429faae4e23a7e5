import { z } from "zod";
import { groupTitle } from "../../schemas.ts";

export const conversationId = z.string().uuid("conversationId must be a conversation id (UUID)");
const userId = z.string().uuid("userId must be a user id (UUID)");
const userIds = z.array(userId).min(1, "Choose at least one person.").max(100, "At most 100 people at a time.");

export const byConversation = z.object({ conversationId });
export const createDirectSchema = z.object({ userId });
export const createGroupSchema = z.object({ title: groupTitle, memberIds: userIds });
export const renameSchema = z.object({ conversationId, title: groupTitle });
export const addMembersSchema = z.object({ conversationId, userIds });
export const removeMemberSchema = z.object({ conversationId, userId });

export type CreateDirectInput = z.infer<typeof createDirectSchema>;
export type CreateGroupInput = z.infer<typeof createGroupSchema>;
export type RenameInput = z.infer<typeof renameSchema>;
export type AddMembersInput = z.infer<typeof addMembersSchema>;
export type RemoveMemberInput = z.infer<typeof removeMemberSchema>;
