// Reading conversations: summaries (members, presence, last message, unread), history pages and search.
// PostgreSQL holds what the persister has stored; Redis what is newer (pending messages, read markers, the
// newest message), and every read merges both, so a message never disappears while it waits for the database.
// A member of a DM or group reads only what was written since they (re)joined (members.ts, `since`); a message
// deleted since a copy of it was made is shown without its text, and so is the quote of it in a reply.
import type { Redis } from "ioredis";
import { Prisma, type PrismaClient } from "@qualmeet/db";
import { escapeLike } from "../services/likePattern.ts";
import { onlineUsers } from "../services/presence.ts";
import { blockedWith } from "./blocks.ts";
import { lastMessages, pendingMessages, readMarkers, scrubDeleted } from "./chatOutbox.ts";
import { contactIds } from "./contacts.ts";
import { conversationNotFound, memberSince } from "./members.ts";
import {
  MESSAGE_COLUMNS,
  MESSAGE_JOINS,
  decodeCursor,
  encodeCursor,
  newestFirst,
  rowToStored,
  toChatMessage,
  withoutQuotesBefore,
  type MessageRow,
  type StoredMessage,
} from "./messages.ts";
import type { CallEntry, ChatHistoryPage, ChatMessage, ConversationSummary } from "./types.ts";

export const HISTORY_PAGE = 50;
export const SEARCH_LIMIT = 50;
// unread counts stop at this (the badge shows "999+")
const UNREAD_CAP = 999;

export interface Deps {
  db: PrismaClient;
  redis: Redis;
}

const summaryInclude = {
  meeting: { select: { code: true, title: true } },
  members: { where: { leftAt: null }, include: { user: { select: { id: true, name: true, isGuest: true, lastSeenAt: true } } }, orderBy: { joinedAt: "asc" } },
} satisfies Prisma.ConversationInclude;

type ConversationWithMembers = Prisma.ConversationGetPayload<{ include: typeof summaryInclude }>;

/** The newest stored message of each conversation (one index probe each). */
async function newestStored(db: PrismaClient, conversationIds: string[]): Promise<Map<string, StoredMessage>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db.$queryRaw<MessageRow[]>`
    SELECT l.* FROM unnest(${conversationIds}::uuid[]) AS c(id)
    CROSS JOIN LATERAL (SELECT ${MESSAGE_COLUMNS} FROM "Message" m ${MESSAGE_JOINS}
      WHERE m."conversationId" = c.id ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1) l`;
  return new Map(rows.map((r) => [r.conversationId, rowToStored(r)]));
}

/** Unread messages of `userId` (from others, not deleted, created after its read marker) per conversation. */
async function unreadCounts(deps: Deps, userId: string, readFrom: Map<string, number>, pending: Map<string, StoredMessage[]>): Promise<Map<string, number>> {
  const ids = [...readFrom.keys()];
  const counts = new Map<string, number>();
  if (ids.length === 0) return counts;
  const pendingIds = [...pending.values()].flat().map((m) => m.id);
  const rows = await deps.db.$queryRaw<Array<{ id: string; n: number }>>`
    SELECT c.id::text AS id, (SELECT count(*)::int FROM (SELECT 1 FROM "Message" m WHERE m."conversationId" = c.id AND m."createdAt" > c.after
      AND m."senderId" <> ${userId}::uuid AND m."deletedAt" IS NULL AND NOT (m.id = ANY(${pendingIds}::uuid[])) LIMIT ${UNREAD_CAP}) x) AS n
    FROM unnest(${ids}::uuid[], ${ids.map((id) => new Date(readFrom.get(id)!).toISOString())}::timestamptz[]) AS c(id, after)`;
  for (const row of rows) {
    const after = readFrom.get(row.id)!;
    const waiting = (pending.get(row.id) ?? []).filter((m) => m.senderId !== userId && !m.deletedAt && m.createdAt > after).length;
    counts.set(row.id, Math.min(UNREAD_CAP, row.n + waiting));
  }
  return counts;
}

function title(c: ConversationWithMembers, userId: string): string {
  if (c.kind === "DIRECT") return c.members.find((m) => m.userId !== userId)?.user.name ?? c.members[0]?.user.name ?? "Direct message";
  if (c.kind === "MEETING") return c.title ?? c.meeting?.title ?? "Meeting chat";
  return c.title ?? "Group";
}

/** When `userId` may read `c` from (epoch ms): their (re)join in a DM or group, everything in a meeting's chat. */
function readableSince(c: ConversationWithMembers, userId: string): number {
  if (c.kind === "MEETING") return 0;
  return c.members.find((m) => m.userId === userId)?.joinedAt.getTime() ?? 0;
}

const newer = (a: StoredMessage | undefined, b: StoredMessage | undefined) => (!a ? b : !b ? a : newestFirst(a, b) <= 0 ? a : b);

/** Summaries of these conversations as `userId` (a member of each) sees them. */
async function summarize(deps: Deps, userId: string, conversations: ConversationWithMembers[]): Promise<ConversationSummary[]> {
  const ids = conversations.map((c) => c.id);
  const memberIds = [...new Set(conversations.flatMap((c) => c.members.map((m) => m.userId)))];
  const [stored, cached, markers, online, pendingLists, blocked, contacts] = await Promise.all([
    newestStored(deps.db, ids),
    lastMessages(deps.redis, ids),
    readMarkers(deps.redis, userId, ids),
    onlineUsers(deps.redis, memberIds),
    Promise.all(ids.map((id) => pendingMessages(deps.redis, id))),
    blockedWith(deps.redis, deps.db, userId),
    conversations.some((c) => c.kind === "MEETING") ? contactIds(deps.db, userId) : new Set<string>(),
  ]);
  // presence: people blocked either way never see each other's; in a meeting's chat (strangers meet there, and it
  // outlives the meeting) only contacts' is shown
  const presenceShown = (c: ConversationWithMembers, memberId: string) => memberId === userId || (c.kind === "MEETING" ? contacts.has(memberId) : !blocked.has(memberId));
  const pending = new Map(ids.map((id, i) => [id, pendingLists[i]!]));
  const readFrom = new Map<string, number>();
  for (const c of conversations) {
    const mine = c.members.find((m) => m.userId === userId);
    readFrom.set(c.id, Math.max(mine?.lastReadAt?.getTime() ?? 0, markers.get(c.id)?.at ?? 0, mine?.joinedAt.getTime() ?? 0));
  }
  const unread = await unreadCounts(deps, userId, readFrom, pending);
  const newest = new Map<string, StoredMessage>();
  for (const c of conversations) {
    let last = newer(stored.get(c.id), cached.get(c.id));
    // a newer version (edit, delete) of the newest message may be pending
    if (last) last = pending.get(c.id)!.find((m) => m.id === last!.id && m.v >= last!.v) ?? last;
    // written before the user (re)joined: not theirs to read
    const since = readableSince(c, userId);
    if (last && last.createdAt >= since) newest.set(c.id, withoutQuotesBefore(last, since));
  }
  const shown = new Map((await scrubDeleted(deps.redis, [...newest.values()])).map((m) => [m.conversationId, m]));
  return conversations.map((c) => {
    const last = shown.get(c.id);
    const since = readableSince(c, userId);
    const me = c.members.find((m) => m.userId === userId);
    return {
      id: c.id,
      kind: c.kind,
      title: title(c, userId),
      members: c.members.map((m) => ({
        id: m.user.id,
        name: m.user.name,
        isGuest: m.user.isGuest,
        role: m.role,
        online: online.has(m.userId) && presenceShown(c, m.userId),
        lastSeenAt: presenceShown(c, m.userId) ? m.user.lastSeenAt : null,
        lastReadAt: m.userId === userId ? (readFrom.get(c.id)! > 0 ? new Date(readFrom.get(c.id)!) : null) : m.lastReadAt,
      })),
      lastMessage: last ? toChatMessage(last) : null,
      lastMessageAt: last ? new Date(last.createdAt) : c.lastMessageAt && c.lastMessageAt.getTime() >= since ? c.lastMessageAt : null,
      unread: unread.get(c.id) ?? 0,
      myRole: me?.role ?? "MEMBER",
      meetingCode: c.meeting?.code ?? null,
    };
  });
}

/** The user's conversations, most recent activity first (never active ones by creation). */
export async function listConversations(deps: Deps, userId: string): Promise<ConversationSummary[]> {
  const conversations = await deps.db.conversation.findMany({ where: { members: { some: { userId, leftAt: null } } }, include: summaryInclude });
  const summaries = await summarize(deps, userId, conversations);
  const created = new Map(conversations.map((c) => [c.id, c.createdAt.getTime()]));
  const at = (s: ConversationSummary) => s.lastMessageAt?.getTime() ?? null;
  return summaries.sort((a, b) => {
    const [x, y] = [at(a), at(b)];
    if (x !== null && y !== null) return y - x;
    if (x !== null) return -1;
    if (y !== null) return 1;
    return created.get(b.id)! - created.get(a.id)!;
  });
}

/** One conversation as `userId` sees it; NOT_FOUND for non-members (removed ones included). */
export async function conversationSummary(deps: Deps, userId: string, conversationId: string): Promise<ConversationSummary> {
  const conversation = await deps.db.conversation.findFirst({ where: { id: conversationId, members: { some: { userId, leftAt: null } } }, include: summaryInclude });
  if (!conversation) throw conversationNotFound();
  const [summary] = await summarize(deps, userId, [conversation]);
  return summary!;
}

/** The unread count of one conversation for `userId`. */
export async function unreadCount(deps: Deps, userId: string, conversationId: string): Promise<number> {
  const [member, markers, pending] = await Promise.all([
    deps.db.conversationMember.findUnique({ where: { conversationId_userId: { conversationId, userId } }, select: { lastReadAt: true, joinedAt: true } }),
    readMarkers(deps.redis, userId, [conversationId]),
    pendingMessages(deps.redis, conversationId),
  ]);
  const after = Math.max(member?.lastReadAt?.getTime() ?? 0, member?.joinedAt.getTime() ?? 0, markers.get(conversationId)?.at ?? 0);
  const counts = await unreadCounts(deps, userId, new Map([[conversationId, after]]), new Map([[conversationId, pending]]));
  return counts.get(conversationId) ?? 0;
}

/** Merges pending versions over stored ones (same id: the pending one is newer), newest first. */
export function mergeNewestFirst(stored: StoredMessage[], pending: StoredMessage[]): StoredMessage[] {
  const byId = new Map(stored.map((m) => [m.id, m]));
  for (const m of pending) byId.set(m.id, m);
  return [...byId.values()].sort(newestFirst);
}

interface CallRow {
  id: string;
  kind: CallEntry["kind"];
  status: CallEntry["status"];
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  userId: string;
  userName: string;
  userIsGuest: boolean;
}

/** A page of history, newest first: stored messages merged with pending ones, and the calls in its time range. */
export async function history(deps: Deps, userId: string, conversationId: string, cursor: string | undefined, limit = HISTORY_PAGE): Promise<ChatHistoryPage> {
  const since = await memberSince(deps.redis, deps.db, conversationId, userId);
  const before = cursor ? decodeCursor(cursor) : null;
  const keyset = before ? Prisma.sql`AND (m."createdAt", m.id) < (${new Date(before.createdAt)}::timestamptz, ${before.id}::uuid)` : Prisma.empty;
  const sinceSql = Prisma.sql`AND m."createdAt" >= ${new Date(since)}::timestamptz`;
  // the calls before the cursor are read alongside; those older than the page's oldest message wait for the next page
  const [rows, pending, calls] = await Promise.all([
    deps.db.$queryRaw<MessageRow[]>`SELECT ${MESSAGE_COLUMNS} FROM "Message" m ${MESSAGE_JOINS}
      WHERE m."conversationId" = ${conversationId}::uuid ${sinceSql} ${keyset} ORDER BY m."createdAt" DESC, m.id DESC LIMIT ${limit + 1}`,
    pendingMessages(deps.redis, conversationId),
    deps.db.$queryRaw<CallRow[]>`SELECT c.id::text AS id, c.kind::text AS kind, c.status::text AS status, c."startedAt", c."answeredAt", c."endedAt",
        u.id::text AS "userId", u.name AS "userName", u."isGuest" AS "userIsGuest"
      FROM "CallLog" c JOIN "User" u ON u.id = c."startedById"
      WHERE c."conversationId" = ${conversationId}::uuid AND c."startedAt" >= ${new Date(since)}::timestamptz ${before ? Prisma.sql`AND c."startedAt" < ${new Date(before.createdAt)}::timestamptz` : Prisma.empty}
      ORDER BY c."startedAt" DESC LIMIT 200`,
  ]);
  const isBefore = (m: StoredMessage) => !before || newestFirst(m, { ...m, createdAt: before.createdAt, id: before.id }) > 0;
  const merged = mergeNewestFirst(
    rows.map(rowToStored),
    pending.filter((m) => m.createdAt >= since && isBefore(m)),
  );
  const page = await scrubDeleted(
    deps.redis,
    merged.slice(0, limit).map((m) => withoutQuotesBefore(m, since)),
  );
  const more = merged.length > limit;
  const oldest = page[page.length - 1];
  const inPage = more && oldest ? calls.filter((c) => c.startedAt.getTime() >= oldest.createdAt) : calls;
  return {
    messages: page.map(toChatMessage),
    calls: inPage.map((c): CallEntry => ({
      id: c.id,
      kind: c.kind,
      status: c.status,
      startedAt: c.startedAt,
      answeredAt: c.answeredAt,
      endedAt: c.endedAt,
      startedBy: { id: c.userId, name: c.userName, isGuest: c.userIsGuest },
    })),
    nextCursor: more && oldest ? encodeCursor(oldest) : null,
  };
}

/** Messages containing `query` (case-insensitive), newest first. */
export async function search(deps: Deps, userId: string, conversationId: string, query: string): Promise<ChatMessage[]> {
  const since = await memberSince(deps.redis, deps.db, conversationId, userId);
  const pattern = `%${escapeLike(query)}%`;
  const [rows, pending] = await Promise.all([
    deps.db.$queryRaw<MessageRow[]>`SELECT ${MESSAGE_COLUMNS} FROM "Message" m ${MESSAGE_JOINS}
      WHERE m."conversationId" = ${conversationId}::uuid AND m."createdAt" >= ${new Date(since)}::timestamptz AND m."deletedAt" IS NULL AND m.body ILIKE ${pattern}
      ORDER BY m."createdAt" DESC, m.id DESC LIMIT ${SEARCH_LIMIT}`,
    pendingMessages(deps.redis, conversationId),
  ]);
  const needle = query.toLowerCase();
  const merged = mergeNewestFirst(rows.map(rowToStored), pending).filter((m) => m.createdAt >= since && !m.deletedAt && m.body.toLowerCase().includes(needle));
  // a deletion not stored yet: its marker says so
  const found = (
    await scrubDeleted(
      deps.redis,
      merged.slice(0, SEARCH_LIMIT).map((m) => withoutQuotesBefore(m, since)),
    )
  ).filter((m) => !m.deletedAt);
  return found.map(toChatMessage);
}
