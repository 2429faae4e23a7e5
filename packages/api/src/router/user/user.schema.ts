import { z } from "zod";
import { displayName, email, storableText } from "../../schemas.ts";

export const updateProfileSchema = z.object({ name: displayName });
/** What was typed, and the e-mail address it is when it is one (found only by that exact address). */
export const searchSchema = z
  .object({
    query: z
      .string()
      .trim()
      .min(1, "Type a name or an email address.")
      .max(100, "Searches are at most 100 characters.")
      .refine(...storableText("Searches")),
  })
  .transform(({ query }) => {
    const address = email.safeParse(query);
    return { query, email: address.success ? address.data : null };
  });

export type UpdateProfileInput = z.infer<typeof updateProfileSchema>;
export type SearchInput = z.infer<typeof searchSchema>;
