import { z } from "zod";
import { displayName } from "../../schemas.ts";

export const updateProfileSchema = z.object({ name: displayName });
export const searchSchema = z.object({ query: z.string().trim().min(1, "Type a name or an email.").max(100, "Searches are at most 100 characters.") });

export type UpdateProfileInput = z.infer<typeof updateProfileSchema>;
export type SearchInput = z.infer<typeof searchSchema>;
