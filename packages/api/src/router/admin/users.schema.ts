import { z } from "zod";
import { storableText } from "../../schemas.ts";
import { keysetPageSchema } from "../../services/keyset.ts";

export const userIdSchema = z.uuid("userId must be a user id (UUID)");

/** Why an admin acts: kept in the audit log with the action. */
export const reasonSchema = z
  .string()
  .trim()
  .min(3, "Say why, in a few words (at least 3 characters).")
  .max(500, "Keep the reason under 500 characters.")
  .refine(...storableText("Reasons"));

export const searchUsersSchema = keysetPageSchema.extend({
  /** part of a name or an e-mail address; empty: everyone, newest first */
  query: z
    .string()
    .trim()
    .max(100, "Searches are at most 100 characters.")
    .refine(...storableText("Searches"))
    .default(""),
});

export const userPageSchema = z.object({ userId: userIdSchema });

export const setRoleSchema = z.object({ userId: userIdSchema, role: z.enum(["USER", "ADMIN"]), reason: reasonSchema });

export const signOutUserSchema = z.object({ userId: userIdSchema, reason: reasonSchema });

export const banUserSchema = z.object({
  userId: userIdSchema,
  reason: reasonSchema,
  /** null: until an admin lifts it */
  durationMinutes: z.number().int().min(1, "A ban lasts at least a minute.").max(5_256_000, "A ban lasts at most ten years, or forever (null).").nullable(),
});

export type SearchUsersInput = z.infer<typeof searchUsersSchema>;
export type SetRoleInput = z.infer<typeof setRoleSchema>;
export type SignOutUserInput = z.infer<typeof signOutUserSchema>;
export type BanUserInput = z.infer<typeof banUserSchema>;
