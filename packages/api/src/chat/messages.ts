// A message as it travels through Redis (outbox, pending index, event streams) and as PostgreSQL stores it,
// and the conversions to what clients get. Times are epoch milliseconds inside Redis.
import type { PrismaClient } from "@qualmeet/db";
import { Prisma } from "@qualmeet/db";
import type { ChatMessage } from "./types.ts";

/** What Redis and PostgreSQL hold alike: who sent what where. */
interface MessageBase {
  id: string;
  conversationId: string;
  clientId: string;
  senderId: string;
  senderName: string;
  senderIsGuest: boolean;
  body: string;
}

export interface StoredMessage extends MessageBase {
  /** the quoted message as it was when replied to; createdAt (absent in older copies) hides it from later joiners */
  replyTo: { id: string; body: string; senderName: string; createdAt?: number } | null;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** 0 when sent, +1 per edit or delete: the newest version wins wherever two meet */
  v: number;
}

export function toChatMessage(m: StoredMessage): ChatMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    clientId: m.clientId,
    sender: { id: m.senderId, name: m.senderName, isGuest: m.senderIsGuest },
    body: m.deletedAt ? "" : m.body,
    replyTo: m.replyTo ? { id: m.replyTo.id, body: m.replyTo.body, senderName: m.replyTo.senderName } : null,
    createdAt: new Date(m.createdAt),
    editedAt: m.editedAt === null ? null : new Date(m.editedAt),
    deletedAt: m.deletedAt === null ? null : new Date(m.deletedAt),
  };
}

export interface MessageRow extends MessageBase {
  replyToId: string | null;
  replyBody: string | null;
  replyDeletedAt: Date | null;
  replySenderName: string | null;
  replyCreatedAt: Date | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

export function rowToStored(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    conversationId: r.conversationId,
    clientId: r.clientId,
    senderId: r.senderId,
    senderName: r.senderName,
    senderIsGuest: r.senderIsGuest,
    body: r.deletedAt ? "" : r.body,
    replyTo: r.replyToId
      ? { id: r.replyToId, body: r.replyDeletedAt ? "" : (r.replyBody ?? ""), senderName: r.replySenderName ?? "", createdAt: r.replyCreatedAt?.getTime() }
      : null,
    createdAt: r.createdAt.getTime(),
    editedAt: r.editedAt?.getTime() ?? null,
    deletedAt: r.deletedAt?.getTime() ?? null,
    // a stored row is at least as new as what was sent; pending (newer) versions override it by id
    v: 0,
  };
}

/** The columns of MessageRow; `m` is the message, `u` its sender, `r`/`ru` the replied message and its sender. */
export const MESSAGE_COLUMNS = Prisma.sql`m.id::text AS id, m."conversationId"::text AS "conversationId", m."clientId", m."senderId"::text AS "senderId",
  u.name AS "senderName", u."isGuest" AS "senderIsGuest", m.body, m."replyToId"::text AS "replyToId", r.body AS "replyBody",
  r."deletedAt" AS "replyDeletedAt", ru.name AS "replySenderName", r."createdAt" AS "replyCreatedAt", m."createdAt", m."editedAt", m."deletedAt"`;

export const MESSAGE_JOINS = Prisma.sql`JOIN "User" u ON u.id = m."senderId" LEFT JOIN "Message" r ON r.id = m."replyToId" LEFT JOIN "User" ru ON ru.id = r."senderId"`;

/** One stored message by id, or null. */
export async function loadStoredMessage(db: PrismaClient, id: string): Promise<StoredMessage | null> {
  const rows = await db.$queryRaw<MessageRow[]>`SELECT ${MESSAGE_COLUMNS} FROM "Message" m ${MESSAGE_JOINS} WHERE m.id = ${id}::uuid`;
  return rows[0] ? rowToStored(rows[0]) : null;
}

/** Keyset cursor "<createdAt ms>_<id>": the page continues with what is strictly older. */
export function encodeCursor(m: { createdAt: number; id: string }): string {
  return `${m.createdAt}_${m.id}`;
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } | null {
  const match = /^(\d{1,15})_([0-9a-f-]{36})$/i.exec(cursor);
  return match ? { createdAt: Number(match[1]), id: match[2]!.toLowerCase() } : null;
}

/** Newest first by (createdAt, id), as the history index orders them. */
export function newestFirst(a: StoredMessage, b: StoredMessage): number {
  return b.createdAt - a.createdAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);
}

/** The message as a member who may read from `since` sees it: a quote of something written before then loses its text. */
export function withoutQuotesBefore(m: StoredMessage, since: number): StoredMessage {
  if (!m.replyTo?.body || m.replyTo.createdAt === undefined || m.replyTo.createdAt >= since) return m;
  return { ...m, replyTo: { ...m.replyTo, body: "" } };
}
