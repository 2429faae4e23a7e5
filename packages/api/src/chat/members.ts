// Who may read and write a conversation, cached in Redis so that sending and reading need no database:
//   chat:members:{conversationId}   hash userId -> role ("ADMIN" | "MEMBER"); the field "-" alone marks a
//                                   conversation that does not exist (cached briefly)
// Every membership change rewrites the hash from PostgreSQL after its transaction, so a reader that filled
// the cache from an older read can never leave a removed member in it (its fill only writes a missing hash).
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import type { MemberRole } from "./types.ts";

const TTL_S = 3600;
const MISSING_TTL_S = 30;
const MISSING = "-";

export const membersKey = (conversationId: string) => `chat:members:${conversationId}`;

const FILL_IF_ABSENT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

type RedisWithFill = Redis & { chatMembersFill(key: string, ttl: number, ...fields: string[]): Promise<number> };

function withFill(redis: Redis): RedisWithFill {
  const r = redis as RedisWithFill;
  if (typeof r.chatMembersFill !== "function") redis.defineCommand("chatMembersFill", { numberOfKeys: 1, lua: FILL_IF_ABSENT });
  return r;
}

async function fromDatabase(db: PrismaClient, conversationId: string): Promise<Map<string, MemberRole> | null> {
  const conversation = await db.conversation.findUnique({
    where: { id: conversationId },
    select: { members: { where: { leftAt: null }, select: { userId: true, role: true } } },
  });
  return conversation ? new Map(conversation.members.map((m) => [m.userId, m.role])) : null;
}

function fields(members: Map<string, MemberRole> | null): string[] {
  if (!members || members.size === 0) return [MISSING, "1"];
  return [...members].flat();
}

/** The current members (userId -> role) of a conversation, or null when it does not exist. */
export async function conversationMembers(redis: Redis, db: PrismaClient, conversationId: string): Promise<Map<string, MemberRole> | null> {
  const cached = await redis.hgetall(membersKey(conversationId));
  if (Object.keys(cached).length > 0) {
    if (cached[MISSING]) return null;
    return new Map(Object.entries(cached) as Array<[string, MemberRole]>);
  }
  const members = await fromDatabase(db, conversationId);
  await withFill(redis).chatMembersFill(membersKey(conversationId), members && members.size ? TTL_S : MISSING_TTL_S, ...fields(members));
  return members && members.size ? members : null;
}

/** Rewrites the cache from PostgreSQL: call after every change of a conversation's members. */
export async function refreshMembers(redis: Redis, db: PrismaClient, conversationId: string): Promise<Map<string, MemberRole>> {
  const members = (await fromDatabase(db, conversationId)) ?? new Map<string, MemberRole>();
  const key = membersKey(conversationId);
  await redis
    .multi()
    .del(key)
    .hset(key, ...fields(members))
    .expire(key, members.size ? TTL_S : MISSING_TTL_S)
    .exec();
  return members;
}

export const conversationNotFound = () => new TRPCError({ code: "NOT_FOUND", message: "This conversation does not exist or you are not a member of it." });

/** The members, when `userId` is one of them; NOT_FOUND otherwise (non-members learn nothing about it). */
export async function requireMember(redis: Redis, db: PrismaClient, conversationId: string, userId: string): Promise<Map<string, MemberRole>> {
  const members = await conversationMembers(redis, db, conversationId);
  if (!members?.has(userId)) throw conversationNotFound();
  return members;
}
