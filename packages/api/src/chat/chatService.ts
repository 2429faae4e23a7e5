// Writing to conversations: send, edit, delete, typing, read markers, and the membership changes that every
// member's open subscriptions hear about at once.
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import type { PrismaClient } from "@qualmeet/db";
import { logger } from "@qualmeet/log";
import { unavailableService } from "../errors.ts";
import { assumeNoBlocksBriefly, blockedWith } from "./blocks.ts";
import { publishChatEvent, publishEphemeral } from "./chatEvents.ts";
import { pendingMessage, queueRead, readMarkers, sendMessage, updateMessage } from "./chatOutbox.ts";
import { unreadCount } from "./conversations.ts";
import { refreshMembers, requireMember, type Members } from "./members.ts";
import { loadStoredMessage, toChatMessage, type StoredMessage } from "./messages.ts";
import type { ChatMessage, ChatUser } from "./types.ts";

export interface ChatDeps {
  db: PrismaClient;
  redis: Redis;
}

export const MESSAGE_MAX = 4000;

/** Redis down: nothing was sent or queued; the client keeps the message and sends it again. */
function chatUnavailable(error: unknown): never {
  if (unavailableService(error) === "redis") {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: "Chat is unavailable right now (Redis is down): the message was not sent. It is kept on your device; try again in a moment.",
      cause: error,
    });
  }
  throw error;
}

const messageNotFound = () => new TRPCError({ code: "NOT_FOUND", message: "This message does not exist or you cannot see it." });

export const blockedConversation = () => new TRPCError({ code: "FORBIDDEN", message: "Messages cannot be sent in this conversation: one of you has blocked the other." });

/**
 * Whether `members` is a DM between `userId` and someone blocked with them either way. Asked of Redis (the blocks
 * cache); the database only when the cache is empty, or to tell a DM from a group of two. While the database is
 * down and the cache empty, the message goes through (logged): nothing is lost, and the block holds again soon.
 */
async function blockedDirect(deps: ChatDeps, conversationId: string, userId: string, members: Members): Promise<boolean> {
  if (members.size !== 2) return false;
  const other = [...members.keys()].find((id) => id !== userId);
  if (!other) return false;
  let blocked: Set<string>;
  try {
    blocked = await blockedWith(deps.redis, deps.db, userId);
  } catch (error) {
    if (unavailableService(error) !== "database") throw error;
    logger.warn({ err: error, userId, conversationId }, "chat: blocks not checked (database down, cache empty): a message of a blocked pair may go through");
    // the next messages do not each wait for the database: asked again shortly
    await assumeNoBlocksBriefly(deps.redis, userId);
    return false;
  }
  if (!blocked.has(other)) return false;
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId }, select: { kind: true } });
  return conversation?.kind === "DIRECT";
}

/** The newest version of a message: pending in Redis, else stored. */
async function findMessage(deps: ChatDeps, messageId: string): Promise<StoredMessage | null> {
  return (await pendingMessage(deps.redis, messageId)) ?? (await loadStoredMessage(deps.db, messageId));
}

export async function send(deps: ChatDeps, user: ChatUser, input: { conversationId: string; clientId: string; body: string; replyToId?: string }): Promise<ChatMessage> {
  try {
    const members = await requireMember(deps.redis, deps.db, input.conversationId, user.id);
    if (await blockedDirect(deps, input.conversationId, user.id, members)) throw blockedConversation();
    let replyTo: StoredMessage["replyTo"] = null;
    if (input.replyToId) {
      const target = await findMessage(deps, input.replyToId);
      // a message from before the sender (re)joined is not theirs to quote
      if (!target || target.conversationId !== input.conversationId || target.createdAt < members.get(user.id)!.since) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "The message you are replying to is not in this conversation." });
      }
      replyTo = { id: target.id, body: target.deletedAt ? "" : target.body, senderName: target.senderName, createdAt: target.createdAt };
    }
    const { message } = await sendMessage(
      deps.redis,
      {
        id: randomUUID(),
        conversationId: input.conversationId,
        clientId: input.clientId,
        senderId: user.id,
        senderName: user.name,
        senderIsGuest: user.isGuest,
        body: input.body,
        replyTo,
        editedAt: null,
        deletedAt: null,
        v: 0,
      },
      [...members.keys()],
    );
    if (message.conversationId !== input.conversationId) {
      throw new TRPCError({ code: "CONFLICT", message: "This client id was already used for a message in another conversation." });
    }
    return toChatMessage(message);
  } catch (error) {
    chatUnavailable(error);
  }
}

/** Edits (new body) or deletes (body null) one of the user's own messages. */
export async function change(deps: ChatDeps, user: ChatUser, messageId: string, body: string | null): Promise<ChatMessage> {
  try {
    const current = await findMessage(deps, messageId);
    if (!current) throw messageNotFound();
    const members = await requireMember(deps.redis, deps.db, current.conversationId, user.id).catch(() => {
      throw messageNotFound();
    });
    if (current.senderId !== user.id) {
      throw new TRPCError({ code: "FORBIDDEN", message: body === null ? "You can only delete your own messages." : "You can only edit your own messages." });
    }
    if (current.deletedAt) throw new TRPCError({ code: "BAD_REQUEST", message: "This message was deleted." });
    // deleting one's own words stays possible; changing them into new words is sending
    if (body !== null && (await blockedDirect(deps, current.conversationId, user.id, members))) throw blockedConversation();
    const now = Date.now();
    const next: StoredMessage = body === null ? { ...current, body: "", deletedAt: now, v: current.v + 1 } : { ...current, body, editedAt: now, v: current.v + 1 };
    const queued = await updateMessage(deps.redis, next, body === null ? "message.deleted" : "message.edited", [...members.keys()]);
    return toChatMessage(queued);
  } catch (error) {
    chatUnavailable(error);
  }
}

/** "`user` is typing" to the other members for a few seconds; never stored. */
export async function typing(deps: ChatDeps, user: ChatUser, conversationId: string): Promise<void> {
  const members = await requireMember(deps.redis, deps.db, conversationId, user.id);
  if (await blockedDirect(deps, conversationId, user.id, members)) return;
  const others = [...members.keys()].filter((id) => id !== user.id);
  await publishEphemeral(deps.redis, others, { type: "typing", conversationId, user });
}

/**
 * Marks the conversation read up to `messageId`: the reader's other tabs get the new unread count, the other
 * members a receipt. Markers only move forward.
 */
export async function markRead(deps: ChatDeps, user: ChatUser, conversationId: string, messageId: string): Promise<{ unread: number }> {
  const members = await requireMember(deps.redis, deps.db, conversationId, user.id);
  const message = await findMessage(deps, messageId);
  if (!message || message.conversationId !== conversationId) throw messageNotFound();
  const marker = (await readMarkers(deps.redis, user.id, [conversationId])).get(conversationId);
  const readAt = Date.now();
  if (!marker || marker.at < message.createdAt) {
    await queueRead(deps.redis, { op: "read", conversationId, userId: user.id, messageId, at: message.createdAt, readAt });
    const others = [...members.keys()].filter((id) => id !== user.id);
    await publishChatEvent(deps.redis, others, { type: "read", conversationId, userId: user.id, messageId, readAt });
  }
  const unread = await unreadCount(deps, user.id, conversationId);
  await publishChatEvent(deps.redis, [user.id], { type: "unread", conversationId, unread });
  return { unread };
}

/**
 * After a membership change (committed): the cache is rewritten, removed users are told and stop receiving
 * the conversation, the members get its new summary.
 */
export async function membersChanged(deps: ChatDeps, conversationId: string, removedUserIds: string[] = []): Promise<void> {
  const members = await refreshMembers(deps.redis, deps.db, conversationId);
  if (removedUserIds.length) await publishChatEvent(deps.redis, removedUserIds, { type: "conversation.removed", conversationId });
  await publishChatEvent(deps.redis, members.keys(), { type: "conversation.updated", conversationId });
}
