// Bots: participants that a person's program runs (packages/client's MeetingBot), with plain RTP instead of a
// browser's WebRTC. A bot is its owner's participant with `isBot`: it passes the lobby and the lock as its owner
// would, shows as a bot to everyone, needs the SFU (a meeting on the P2P mesh switches when one joins), and only
// ever has media sent to the address its socket connected from (or to BOT_RTP_TARGETS), so a bot cannot aim a
// meeting's media at a third party. The host removing a bot keeps its owner's bots out of the meeting for a day.
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import { inNetworks } from "../services/clientIp.ts";
import { meetingKeys } from "./keys.ts";
import type { LiveMeeting, Participant } from "./participants.ts";

/** How long the host's removal of a bot keeps its owner's bots out of that meeting. */
export const BOT_REMOVAL_BAN_MS = 24 * 60 * 60 * 1000;

export const BOTS_REMOVED = "The host removed your bot from this meeting: your bots cannot join it again today.";
export const NOT_A_BOT = "This participant is not a bot: join with bot.join to send and receive plain RTP.";

/** What a bot joins with. */
export interface BotJoin {
  name: string;
}

export const hasBot = (live: Pick<LiveMeeting, "participants">): boolean => [...live.participants.values()].some((p) => p.isBot);

/** The refusal of one more bot when the meeting has `limit` already, or null. */
export function beyondBotLimit(live: LiveMeeting, limit: number): TRPCError | null {
  let bots = 0;
  for (const participant of live.participants.values()) if (participant.isBot) bots++;
  if (bots < limit) return null;
  return new TRPCError({ code: "PRECONDITION_FAILED", message: `This meeting already has ${bots} bots, the most it may have (limit ${limit}). One must leave first.` });
}

/** Whether the host removed one of `ownerId`'s bots from the meeting within the last day. */
export async function botsBanned(redis: Redis, meetingId: string, ownerId: string): Promise<boolean> {
  const until = await redis.zscore(meetingKeys.removedBots(meetingId), ownerId);
  return until !== null && Number(until) > Date.now();
}

/** Refuses a bot of an owner whose bot the host removed today. */
export async function requireBotsAllowed(redis: Redis, meetingId: string, ownerId: string): Promise<void> {
  if (await botsBanned(redis, meetingId, ownerId)) throw new TRPCError({ code: "FORBIDDEN", message: BOTS_REMOVED });
}

/** The host removed one of `ownerId`'s bots: none of theirs joins this meeting for a day (bans that ran out go). */
export async function banBots(redis: Redis, meetingId: string, ownerId: string): Promise<void> {
  const key = meetingKeys.removedBots(meetingId);
  const now = Date.now();
  await redis
    .multi()
    .zremrangebyscore(key, "-inf", now)
    .zadd(key, now + BOT_REMOVAL_BAN_MS, ownerId)
    .pexpire(key, BOT_REMOVAL_BAN_MS)
    .exec();
}

/** Refuses what only a bot participant may do (plain RTP transports). */
export function requireBot(participant: Pick<Participant, "isBot">): void {
  if (!participant.isBot) throw new TRPCError({ code: "PRECONDITION_FAILED", message: NOT_A_BOT });
}

/**
 * Where the media server may send a bot's RTP: the address its socket connected from, or `requested` when that is
 * the same or one of BOT_RTP_TARGETS. Anything else is refused.
 */
export function rtpTarget(participant: Pick<Participant, "ip">, requested: string | undefined, allowed: readonly string[] = env.BOT_RTP_TARGETS): string {
  const own = participant.ip;
  if (requested === undefined || requested === own) {
    if (own === "unknown") throw new TRPCError({ code: "BAD_REQUEST", message: "The address your bot connected from is unknown: name the receiver's address (ip)." });
    return own;
  }
  if (inNetworks(requested, allowed)) return requested;
  throw new TRPCError({
    code: "FORBIDDEN",
    message: `A bot's RTP goes only to the address it connected from (${own}), not to ${requested}: the server's BOT_RTP_TARGETS must name it.`,
  });
}
