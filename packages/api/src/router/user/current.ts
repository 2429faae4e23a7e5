// `user.current` (GET /api/v1/me): who the caller is, by session or by API token, and for a token its scopes and
// expiry. Any valid token may ask it: a program checks its token with it before doing anything else.
import { z } from "zod";
import { timestamp } from "../../schemas.ts";
import { API_TOKEN_SCOPES } from "../../apiTokens/scopes.ts";
import type { VerifiedApiToken } from "../../apiTokens/tokens.ts";
import type { Context, SessionUser } from "../../trpc.ts";

export const currentUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable().describe("null for a guest"),
  role: z.enum(["USER", "ADMIN"]),
  isGuest: z.boolean(),
  apiToken: z
    .object({ id: z.string(), scopes: z.array(z.enum(API_TOKEN_SCOPES)), expiresAt: timestamp })
    .nullable()
    .describe("the token this call was made with; null for a signed-in session"),
});

export function currentUserHandler({ ctx }: { ctx: Context & { user: SessionUser; apiToken?: VerifiedApiToken | null } }): z.input<typeof currentUserSchema> {
  const { id, name, email, role, isGuest } = ctx.user;
  const token = ctx.apiToken;
  return { id, name, email, role, isGuest, apiToken: token ? { id: token.id, scopes: token.scopes, expiresAt: token.expiresAt } : null };
}
