// A user's contacts: the people who share a DM or a group with them, both still members, and not blocked either
// way. They may see each other's presence; nobody else learns whether a user is online.
import type { Prisma, PrismaClient } from "@qualmeet/db";
import type { Bus } from "../services/bus.ts";
import { notBlockedWith } from "./blocks.ts";
import { userChannel, type StoredChatEvent } from "./chatEvents.ts";

/** At most this many contacts are listed (and watched for presence). */
export const CONTACTS_LIMIT = 1000;

/** The Prisma filter for `userId`'s contacts (meeting chats do not count: strangers meet there). */
export const contactsOf = (userId: string) =>
  ({
    id: { not: userId },
    memberships: { some: { leftAt: null, conversation: { kind: { in: ["DIRECT", "GROUP"] }, members: { some: { userId, leftAt: null } } } } },
    ...notBlockedWith(userId),
  }) satisfies Prisma.UserWhereInput;

export async function contactIds(db: PrismaClient, userId: string): Promise<Set<string>> {
  const rows = await db.user.findMany({ where: contactsOf(userId), select: { id: true }, take: CONTACTS_LIMIT });
  return new Set(rows.map((row) => row.id));
}

/**
 * Calls `changed` whenever one of `userId`'s conversations is created, gains or loses members or is left (every
 * membership change announces itself to the members' chat channels, see membersChanged), or a block between the
 * user and someone changes (blocksChanged), until the returned function is called.
 */
export function watchConversationChanges(bus: Bus, userId: string, changed: () => void): Promise<() => void> {
  return bus.onRaw(userChannel(userId), (message) => {
    // "<stream id>[@<trace>] <json>": the JSON starts after the first space either way
    const { type } = JSON.parse(message.slice(message.indexOf(" ") + 1)) as StoredChatEvent;
    if (type === "conversation.updated" || type === "conversation.removed" || type === "contacts.changed") changed();
  });
}
