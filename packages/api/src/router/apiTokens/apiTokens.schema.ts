import { z } from "zod";
import { labelText } from "../../schemas.ts";
import { API_TOKEN_SCOPES } from "../../apiTokens/scopes.ts";
import { keysetPageSchema } from "../../services/keyset.ts";

/** A token lives at most a year: a leaked one stops working by itself. */
export const API_TOKEN_MAX_LIFETIME_DAYS = 365;

export const apiTokenScope = z.enum(API_TOKEN_SCOPES, { error: `Unknown scope: choose from ${API_TOKEN_SCOPES.join(", ")}.` });

export const createApiTokenSchema = z.object({
  name: labelText({ plural: "Token names", empty: "Give the token a name.", max: 80 }),
  scopes: z
    .array(apiTokenScope, { error: "Choose at least one scope." })
    .min(1, "Choose at least one scope.")
    .max(API_TOKEN_SCOPES.length)
    .transform((scopes) => [...new Set(scopes)]),
  expiresAt: z.date({ error: "Choose when the token expires." }).superRefine((at, ctx) => {
    const now = Date.now();
    if (at.getTime() <= now) ctx.addIssue({ code: "custom", message: "The expiry is in the past: choose a date to come." });
    else if (at.getTime() > now + API_TOKEN_MAX_LIFETIME_DAYS * 86_400_000) ctx.addIssue({ code: "custom", message: `A token lives at most ${API_TOKEN_MAX_LIFETIME_DAYS} days.` });
  }),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

export const byApiTokenSchema = z.object({ tokenId: z.string().uuid("tokenId must be a token id (UUID)") });

export const listApiTokensSchema = keysetPageSchema;
export type ListApiTokensInput = z.infer<typeof listApiTokensSchema>;
