import { TRPCError } from "@trpc/server";
import type { Prisma } from "@qualmeet/db";
import { newApiTokenSecret, announceTokenRevocation } from "../../apiTokens/tokens.ts";
import type { ApiTokenScope } from "../../apiTokens/scopes.ts";
import { afterCursor, keysetPage } from "../../services/keyset.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { CreateApiTokenInput, ListApiTokensInput } from "./apiTokens.schema.ts";

type UserContext = Context & { user: SessionUser };

/** Live (neither revoked nor expired) tokens one user may hold at once. */
export const MAX_LIVE_API_TOKENS = 20;

/** What a list shows of a token: never its secret nor its hash. */
const listed = { id: true, name: true, scopes: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true } as const;
type ListedRow = Prisma.ApiTokenGetPayload<{ select: typeof listed }>;
/** `live`: neither revoked nor expired now (the pages show it without reading the clock while they render) */
const asListed = <Row extends ListedRow>(row: Row, now = new Date()): Omit<Row, "scopes"> & { scopes: ApiTokenScope[]; live: boolean } => ({
  ...row,
  scopes: row.scopes as ApiTokenScope[],
  live: !row.revokedAt && row.expiresAt > now,
});

export async function createApiTokenHandler({ ctx, input }: { ctx: UserContext; input: CreateApiTokenInput }) {
  const live = await ctx.db.apiToken.count({ where: { userId: ctx.user.id, revokedAt: null, expiresAt: { gt: new Date() } } });
  if (live >= MAX_LIVE_API_TOKENS) {
    throw new TRPCError({ code: "FORBIDDEN", message: `You have ${MAX_LIVE_API_TOKENS} live tokens, the most allowed: revoke one you no longer use first.` });
  }
  const { secret, tokenHash } = newApiTokenSecret();
  const token = await ctx.db.apiToken.create({
    data: { userId: ctx.user.id, name: input.name, scopes: input.scopes, expiresAt: input.expiresAt, tokenHash },
    select: listed,
  });
  await ctx.db.auditLog.create({
    data: { actorId: ctx.user.id, action: "apiToken.create", targetType: "apiToken", targetId: token.id, ip: ctx.ip, data: { name: token.name, scopes: token.scopes } },
  });
  // the only time the secret leaves the server
  return { token: asListed(token), secret };
}

export async function listApiTokensHandler({ ctx }: { ctx: UserContext }) {
  const rows = await ctx.db.apiToken.findMany({ where: { userId: ctx.user.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: listed });
  return rows.map((row) => asListed(row));
}

/** Revokes `tokenId` when `ownerId` (null: anyone's, for an admin) holds it; NOT_FOUND otherwise, revealing nothing. */
export async function revokeApiToken(ctx: UserContext, tokenId: string, ownerId: string | null, action: string): Promise<void> {
  const token = await ctx.db.apiToken.findFirst({ where: { id: tokenId, ...(ownerId ? { userId: ownerId } : {}) }, select: { id: true, userId: true, revokedAt: true } });
  if (!token) throw new TRPCError({ code: "NOT_FOUND", message: "No such token." });
  if (token.revokedAt) return;
  await ctx.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
  await announceTokenRevocation(ctx.redis, token.id);
  await ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action, targetType: "apiToken", targetId: token.id, ip: ctx.ip, data: { ownerId: token.userId } } });
}

export const revokeApiTokenHandler = ({ ctx, input }: { ctx: UserContext; input: { tokenId: string } }) => revokeApiToken(ctx, input.tokenId, ctx.user.id, "apiToken.revoke");

export const adminRevokeApiTokenHandler = ({ ctx, input }: { ctx: UserContext; input: { tokenId: string } }) => revokeApiToken(ctx, input.tokenId, null, "admin.apiToken.revoke");

/** Every user's tokens, newest first, with their owner (keyset pages like the other admin lists). */
export async function adminListApiTokensHandler({ ctx, input }: { ctx: UserContext; input: ListApiTokensInput }) {
  const rows = await ctx.db.apiToken.findMany({
    where: afterCursor(input.cursor, "createdAt", "desc"),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: { ...listed, user: { select: { id: true, name: true, email: true } } },
  });
  const page = keysetPage(rows, input.limit, (row) => ({ at: row.createdAt, id: row.id }));
  return { nextCursor: page.nextCursor, items: page.items.map((row) => asListed(row)) };
}
