// `chat.events`: the caller's chat events, resumable by event id. Stored events are shared by every recipient;
// here they become this user's ChatEvents (a conversation update becomes their own summary). Once told
// `conversation.removed`, the subscription delivers nothing more of that conversation, even if an event was
// already on its way. A message written before the user (re)joined its conversation is not delivered (an edit of
// it neither), and a resumed stream shows messages deleted since without their text (and quotes of them).
import { TRPCError, tracked } from "@trpc/server";
import { logger } from "@qualmeet/log";
import { chatEventHub, type StoredChatEvent } from "../../chat/chatEvents.ts";
import { scrubDeleted } from "../../chat/chatOutbox.ts";
import { contactIds } from "../../chat/contacts.ts";
import { conversationSummary } from "../../chat/conversations.ts";
import { memberSince } from "../../chat/members.ts";
import { toChatMessage, withoutQuotesBefore } from "../../chat/messages.ts";
import { onlineUsers } from "../../services/presence.ts";
import type { ChatEvent } from "../../chat/types.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";

type Ctx = Context & { user: SessionUser };

function conversationOf(event: StoredChatEvent): string | null {
  switch (event.type) {
    case "message.new":
    case "message.edited":
    case "message.deleted":
      return event.m.conversationId;
    case "call.ringing":
      return event.call.conversationId;
    case "presence":
    case "contacts.changed":
    case "invitations.changed":
      return null;
    default:
      return event.conversationId;
  }
}

/**
 * People whose presence the user hears about: their contacts (a DM or a group in common; a guest has none). While
 * the database cannot say, the ones known so far.
 */
async function contactsOf(ctx: Ctx, known = new Set<string>()): Promise<Set<string>> {
  if (ctx.user.isGuest) return known;
  return contactIds(ctx.db, ctx.user.id).catch((err: unknown) => {
    logger.warn({ err, userId: ctx.user.id }, "chat: contacts not loaded: this subscription hears presence changes of the contacts it knew");
    return known;
  });
}

// Not a generator itself: the user's channel is listened to before the handler returns, when tRPC tells the
// client the subscription has started (a message sent right after would otherwise never arrive live).
export async function chatEventsHandler({ ctx, input, signal }: { ctx: Ctx; input: { lastEventId?: string | null }; signal: AbortSignal | undefined }) {
  const { bus } = realtimeServices(ctx);
  const hub = chatEventHub(ctx.redis, bus);
  const userId = ctx.user.id;
  let contacts = await contactsOf(ctx);
  const removed = new Set<string>();
  // per conversation: when the user may read it from (read once, again after a membership change)
  const since = new Map<string, number>();
  const readableSince = async (conversationId: string): Promise<number> => {
    let at = since.get(conversationId);
    if (at !== undefined) return at;
    try {
      at = await memberSince(ctx.redis, ctx.db, conversationId, userId);
    } catch (err) {
      // not a member (any more): nothing of it; unknown (the database is down): what arrives live is new anyway
      if (err instanceof TRPCError && err.code === "NOT_FOUND") at = Number.POSITIVE_INFINITY;
      else {
        logger.warn({ err, userId, conversationId }, "chat: join time not read: this event is delivered unfiltered");
        return 0;
      }
    }
    since.set(conversationId, at);
    return at;
  };
  const presence = (push: (event: StoredChatEvent) => void) =>
    bus.on("presence", (raw) => {
      const change = raw as { userId?: string; online?: boolean };
      if (!change.userId || !contacts.has(change.userId)) return;
      push({ type: "presence", userId: change.userId, online: change.online === true, lastSeenAt: change.online ? null : Date.now() });
    });
  const events = await hub.open(userId, input.lastEventId ?? null, signal, presence);
  return deliver();

  async function* deliver() {
    try {
      for await (const { id, event, replayed } of events) {
        const conversationId = conversationOf(event);
        if (event.type === "contacts.changed") {
          const before = contacts;
          contacts = await contactsOf(ctx, contacts);
          // someone now blocked: shown offline at once, and heard of no more; someone unblocked: as they are now
          for (const gone of before) {
            if (!contacts.has(gone)) yield tracked(id, { type: "presence", userId: gone, online: false, lastSeenAt: null } satisfies ChatEvent);
          }
          const back = [...contacts].filter((userId) => !before.has(userId));
          const online = await onlineUsers(ctx.redis, back);
          for (const userId of back) yield tracked(id, { type: "presence", userId, online: online.has(userId), lastSeenAt: null } satisfies ChatEvent);
          continue;
        }
        if (event.type === "conversation.removed") {
          since.delete(event.conversationId);
          removed.add(event.conversationId);
          contacts = await contactsOf(ctx, contacts);
          yield tracked(id, event as ChatEvent);
          continue;
        }
        if (event.type === "conversation.updated") {
          const conversation = await conversationSummary(ctx, userId, event.conversationId).catch(() => null);
          if (!conversation) continue;
          removed.delete(event.conversationId);
          since.delete(event.conversationId);
          contacts = await contactsOf(ctx, contacts);
          yield tracked(id, { type: "conversation.updated", conversation } satisfies ChatEvent);
          continue;
        }
        if (conversationId && removed.has(conversationId)) continue;
        if (event.type === "message.new" || event.type === "message.edited" || event.type === "message.deleted") {
          const from = await readableSince(event.m.conversationId);
          if (event.m.createdAt < from) continue;
          const visible = withoutQuotesBefore(event.m, from);
          const [m] = replayed ? await scrubDeleted(ctx.redis, [visible]) : [visible];
          yield tracked(id, toClientEvent({ ...event, m: m! }));
          continue;
        }
        yield tracked(id, toClientEvent(event));
      }
    } finally {
      // "last seen" is when the user's socket stopped listening
      await ctx.db.user
        .update({ where: { id: userId }, data: { lastSeenAt: new Date() } })
        .catch((err: unknown) => logger.warn({ err, userId }, "chat: last seen not saved: the user's contacts see an older time"));
    }
  }
}

function toClientEvent(event: Exclude<StoredChatEvent, { type: "conversation.updated" | "contacts.changed" }>): ChatEvent {
  switch (event.type) {
    case "message.new":
    case "message.edited":
    case "message.deleted":
      return { type: event.type, message: toChatMessage(event.m) };
    case "read":
      return { ...event, readAt: new Date(event.readAt) };
    case "presence":
      return { ...event, lastSeenAt: event.lastSeenAt === null ? null : new Date(event.lastSeenAt) };
    case "call.ringing":
      return { type: "call.ringing", call: { ...event.call, startedAt: new Date(event.call.startedAt) } };
    default:
      return event;
  }
}
