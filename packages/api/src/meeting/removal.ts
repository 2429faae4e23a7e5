// Removal from a meeting, remembered: the host removes someone (MediaOwner.remove) and they stay out, on every
// node and across restarts (MeetingRemoval in PostgreSQL), until the host lets them back. They also leave the
// meeting's chat at once: the conversation's members change, so sending, reading its history and its live
// events stop for them on every socket they have open.
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { membersChanged } from "../chat/chatService.ts";
import { isUniqueViolation } from "../services/prismaErrors.ts";
import { meetingKeys } from "./keys.ts";
import { lobbyChanged } from "./lobby.ts";

export interface Removal {
  meetingId: string;
  user: { id: string; name: string; isGuest: boolean };
  removedById: string;
  /** where the removed person joined from (a removed guest's new identity from there waits in the lobby) */
  ip: string;
}

/** The meeting's conversation, when it has one of its own (a call's meeting uses its DM or group instead). */
async function meetingConversationId(db: PrismaClient, meetingId: string): Promise<string | null> {
  const conversation = await db.conversation.findUnique({ where: { meetingId }, select: { id: true, kind: true } });
  return conversation?.kind === "MEETING" ? conversation.id : null;
}

/** Remembers the removal (before the person is told, so a quick rejoin is already refused) and ends their chat access. */
export async function rememberRemoval(deps: { db: PrismaClient; redis: Redis }, removal: Removal): Promise<void> {
  const { db, redis } = deps;
  const data = {
    meetingId: removal.meetingId,
    userId: removal.user.id,
    removedById: removal.removedById,
    isGuest: removal.user.isGuest,
    displayName: removal.user.name,
    ip: removal.ip === "unknown" ? null : removal.ip.slice(0, 64),
  };
  try {
    await db.meetingRemoval.create({ data });
  } catch (error) {
    // removed from another tab at the same moment: one removal, remembered once; an admin's removal, written by
    // the web app before this node was asked, learns the address the person joined from here
    if (!isUniqueViolation(error)) throw error;
    if (data.ip) await db.meetingRemoval.updateMany({ where: { meetingId: data.meetingId, userId: data.userId, ip: null }, data: { ip: data.ip } });
  }
  await redis.srem(meetingKeys.admitted(removal.meetingId), removal.user.id);
  await lobbyChanged(redis, removal.meetingId);
  const conversationId = await meetingConversationId(db, removal.meetingId);
  if (!conversationId) return;
  const { count } = await db.conversationMember.updateMany({ where: { conversationId, userId: removal.user.id, leftAt: null }, data: { leftAt: new Date() } });
  if (count > 0) await membersChanged(deps, conversationId, [removal.user.id]);
}

/** Whether the host removed `userId` from the meeting (and has not let them back). */
export async function isRemoved(db: PrismaClient, meetingId: string, userId: string): Promise<boolean> {
  return (await db.meetingRemoval.count({ where: { meetingId, userId } })) > 0;
}

/** The people the host removed, latest first. */
export function removedPeople(db: PrismaClient, meetingId: string) {
  return db.meetingRemoval.findMany({
    where: { meetingId },
    select: { userId: true, displayName: true, isGuest: true, removedAt: true },
    orderBy: { removedAt: "desc" },
  });
}

/** The host lets a removed person back: they may join again, and read and write the meeting's chat. False when they were not removed. */
export async function allowBack(deps: { db: PrismaClient; redis: Redis }, meetingId: string, userId: string): Promise<boolean> {
  const { db } = deps;
  const { count } = await db.meetingRemoval.deleteMany({ where: { meetingId, userId } });
  if (count === 0) return false;
  await lobbyChanged(deps.redis, meetingId);
  const conversationId = await meetingConversationId(db, meetingId);
  if (conversationId) {
    const restored = await db.conversationMember.updateMany({ where: { conversationId, userId, leftAt: { not: null } }, data: { leftAt: null } });
    if (restored.count > 0) await membersChanged(deps, conversationId);
  }
  return true;
}
