// Who may read and write a conversation, cached in Redis so that sending and reading need no database:
//   chat:members:{conversationId}   hash userId -> "<role> <since ms>" (role "ADMIN" | "MEMBER"; since: when the
//                                   member (re)joined a DM or group, 0 in a meeting's chat, whose participants read
//                                   it all); the field "-" alone marks a conversation that does not exist (cached briefly)
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

export interface Member {
  role: MemberRole;
  /** epoch ms: what was written before this is not theirs to read (0: everything is) */
  since: number;
}

export type Members = Map<string, Member>;

async function fromDatabase(db: PrismaClient, conversationId: string): Promise<Members | null> {
  const conversation = await db.conversation.findUnique({
    where: { id: conversationId },
    select: { kind: true, members: { where: { leftAt: null }, select: { userId: true, role: true, joinedAt: true } } },
  });
  if (!conversation) return null;
  const wholeHistory = conversation.kind === "MEETING";
  return new Map(conversation.members.map((m) => [m.userId, { role: m.role, since: wholeHistory ? 0 : m.joinedAt.getTime() }]));
}

function fields(members: Members | null): string[] {
  if (!members || members.size === 0) return [MISSING, "1"];
  return [...members].flatMap(([userId, m]) => [userId, `${m.role} ${m.since}`]);
}

function parseMember(value: string): Member {
  const [role, since] = value.split(" ");
  return { role: role as MemberRole, since: Number(since ?? 0) || 0 };
}

/** The current members of a conversation, or null when it does not exist. */
export async function conversationMembers(redis: Redis, db: PrismaClient, conversationId: string): Promise<Members | null> {
  const cached = await redis.hgetall(membersKey(conversationId));
  if (Object.keys(cached).length > 0) {
    if (cached[MISSING]) return null;
    return new Map(Object.entries(cached).map(([userId, value]) => [userId, parseMember(value)]));
  }
  const members = await fromDatabase(db, conversationId);
  await withFill(redis).chatMembersFill(membersKey(conversationId), members && members.size ? TTL_S : MISSING_TTL_S, ...fields(members));
  return members && members.size ? members : null;
}

/** Rewrites the cache from PostgreSQL: call after every change of a conversation's members. */
export async function refreshMembers(redis: Redis, db: PrismaClient, conversationId: string): Promise<Members> {
  const members = (await fromDatabase(db, conversationId)) ?? new Map<string, Member>();
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
export async function requireMember(redis: Redis, db: PrismaClient, conversationId: string, userId: string): Promise<Members> {
  const members = await conversationMembers(redis, db, conversationId);
  if (!members?.has(userId)) throw conversationNotFound();
  return members;
}

/** When `userId` (a member) may read `conversationId` from (epoch ms); NOT_FOUND for non-members. */
export async function memberSince(redis: Redis, db: PrismaClient, conversationId: string, userId: string): Promise<number> {
  const members = await requireMember(redis, db, conversationId, userId);
  return members.get(userId)!.since;
}
