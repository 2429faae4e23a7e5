// Calls from a conversation. call.start creates a meeting tied to the conversation (a DM's holds 2 and stays
// P2P) and a CallLog, and rings every other member on every tab and device (their chat event streams).
// Ringing state lives in Redis so any node can answer for it:
//   chat:call:{callId}            hash: state (RINGING | ANSWERED | DECLINED | MISSED | CANCELLED), info, kind
//   chat:call:{callId}:ringing    set of the callees still ringing
//   chat:calls:ringing            sorted set callId -> deadline (ms); every node sweeps it, one wins each call
// Each transition is a compare-and-set on the state, so accept, decline, cancel and the timeout cannot both win.
// The CallLog ends (ENDED, endedAt) when everyone has left the call's meeting. The meeting ends with its call
// (declined, cancelled, missed or ended): an old ring or link joins nobody afterwards.
import { TRPCError } from "@trpc/server";
import type { Redis } from "ioredis";
import { env } from "@qualmeet/config";
import type { PrismaClient } from "@qualmeet/db";
import { MESH_MAX_PARTICIPANTS, modeFor } from "../meeting/topology.ts";
import { endMeetingUnattended, withFreshMeetingCode } from "../meeting/meetingRecords.ts";
import { blockedWith } from "./blocks.ts";
import { publishChatEvent, type StoredCallInfo } from "./chatEvents.ts";
import { requireMember } from "./members.ts";
import { missedCall, webhookEvent } from "../webhooks/emitter.ts";
import type { CallEndStatus, CallInfo, CallKind, ChatUser } from "./types.ts";

export const RINGING_SET = "chat:calls:ringing";
const CALL_TTL_S = 3600;
const GROUP_CALL_MAX = 50;

const callKey = (callId: string) => `chat:call:${callId}`;
const ringingKey = (callId: string) => `chat:call:${callId}:ringing`;

const TRANSITION = `
local s = redis.call('HGET', KEYS[1], 'state')
if s == ARGV[1] then redis.call('HSET', KEYS[1], 'state', ARGV[2]) return 'OK' end
return s or 'GONE'
`;

type CallRedis = Redis & { chatCallTransition(key: string, from: string, to: string): Promise<string> };

function withTransition(redis: Redis): CallRedis {
  const r = redis as CallRedis;
  if (typeof r.chatCallTransition !== "function") redis.defineCommand("chatCallTransition", { numberOfKeys: 1, lua: TRANSITION });
  return r;
}

interface CallState {
  state: string;
  info: StoredCallInfo;
  direct: boolean;
}

export interface CallDeps {
  db: PrismaClient;
  redis: Redis;
}

const toCallInfo = (c: StoredCallInfo): CallInfo => ({ ...c, startedAt: new Date(c.startedAt) });

const callGone = () => new TRPCError({ code: "NOT_FOUND", message: "This call does not exist or has ended." });

async function loadCall(redis: Redis, callId: string): Promise<CallState | null> {
  const fields = await redis.hgetall(callKey(callId));
  if (!fields.info) return null;
  return { state: fields.state ?? "GONE", info: JSON.parse(fields.info) as StoredCallInfo, direct: fields.direct === "1" };
}

async function membersOf(deps: CallDeps, conversationId: string): Promise<string[]> {
  const rows = await deps.db.conversationMember.findMany({ where: { conversationId, leftAt: null }, select: { userId: true } });
  return rows.map((r) => r.userId);
}

async function announceEnd(deps: CallDeps, userIds: string[], info: StoredCallInfo, status: CallEndStatus, answeredOnOtherDevice?: boolean): Promise<void> {
  await publishChatEvent(deps.redis, userIds, {
    type: "call.ended",
    callId: info.id,
    conversationId: info.conversationId,
    status,
    ...(answeredOnOtherDevice ? { answeredOnOtherDevice } : {}),
  });
}

/** The call is over: so is its meeting. */
async function endCallMeeting(deps: CallDeps, callId: string, meetingId?: string | null): Promise<void> {
  const id = meetingId ?? (await deps.db.callLog.findUnique({ where: { id: callId }, select: { meetingId: true } }))?.meetingId;
  if (id) await endMeetingUnattended(deps.db, deps.redis, id, "call ended");
}

export async function startCall(deps: CallDeps, user: ChatUser, conversationId: string, kind: CallKind): Promise<CallInfo> {
  const members = await requireMember(deps.redis, deps.db, conversationId, user.id);
  const conversation = await deps.db.conversation.findUnique({ where: { id: conversationId }, select: { kind: true, title: true } });
  if (!conversation) throw new TRPCError({ code: "NOT_FOUND", message: "This conversation does not exist." });
  if (conversation.kind === "MEETING") throw new TRPCError({ code: "BAD_REQUEST", message: "A meeting's chat has its meeting: join it instead of calling." });
  const direct = conversation.kind === "DIRECT";
  const others = [...members.keys()].filter((id) => id !== user.id);
  // people blocked with the caller either way are not rung; in a DM there is then nobody to call
  const blocked = await blockedWith(deps.redis, deps.db, user.id);
  if (direct && others.some((id) => blocked.has(id))) {
    throw new TRPCError({ code: "FORBIDDEN", message: "You cannot call in this conversation: one of you has blocked the other." });
  }
  const callees = others.filter((id) => !blocked.has(id));
  if (callees.length === 0) throw new TRPCError({ code: "BAD_REQUEST", message: "There is nobody else in this conversation to call." });
  let title = conversation.title ?? "Group";
  if (direct) {
    const other = await deps.db.user.findUnique({ where: { id: callees[0]! }, select: { name: true } });
    title = other?.name ?? "Direct message";
  }
  const maxParticipants = direct ? 2 : Math.min(GROUP_CALL_MAX, Math.max(members.size, 2));
  const p2pMax = direct ? 2 : MESH_MAX_PARTICIPANTS;
  const meeting = await withFreshMeetingCode((code) =>
    deps.db.meeting.create({
      data: { code, title: `Call: ${title}`.slice(0, 120), hostId: user.id, maxParticipants, p2pMaxParticipants: p2pMax, mode: modeFor(maxParticipants, p2pMax) },
      select: { id: true, code: true },
    }),
  );
  // The conversation's row first: inserting the log row share-locks it (foreign key), and two calls started at once
  // that each held that share lock and then wanted to update the row deadlocked (found by the fuzzing test).
  const [, log] = await deps.db.$transaction([
    deps.db.conversation.update({ where: { id: conversationId }, data: { meetingId: meeting.id } }),
    deps.db.callLog.create({ data: { conversationId, meetingId: meeting.id, startedById: user.id, kind }, select: { id: true, startedAt: true } }),
  ]);
  const info: StoredCallInfo = { id: log.id, conversationId, kind, from: user, meetingCode: meeting.code, startedAt: log.startedAt.getTime(), conversationTitle: title };
  await deps.redis
    .multi()
    .hset(callKey(log.id), "state", "RINGING", "info", JSON.stringify(info), "direct", direct ? "1" : "0")
    .expire(callKey(log.id), CALL_TTL_S)
    .sadd(ringingKey(log.id), ...callees)
    .expire(ringingKey(log.id), CALL_TTL_S)
    .zadd(RINGING_SET, Date.now() + env.CALL_RING_TIMEOUT_MS, log.id)
    .exec();
  // each callee's title is the caller's name in a DM
  if (direct) await publishChatEvent(deps.redis, callees, { type: "call.ringing", call: { ...info, conversationTitle: user.name } });
  else await publishChatEvent(deps.redis, callees, { type: "call.ringing", call: info });
  return toCallInfo(info);
}

/** A callee answers: the call's meeting code; the callee's other tabs and the caller stop ringing. */
export async function acceptCall(deps: CallDeps, user: ChatUser, callId: string): Promise<{ meetingCode: string }> {
  const call = await loadCall(deps.redis, callId);
  if (!call || call.info.from.id === user.id) throw callGone();
  const wasRinging = (await deps.redis.srem(ringingKey(callId), user.id)) === 1;
  if (!wasRinging) {
    if (call.state === "ANSWERED") throw new TRPCError({ code: "CONFLICT", message: "This call was already answered (on another of your devices, or by someone else)." });
    throw callGone();
  }
  const result = await withTransition(deps.redis).chatCallTransition(callKey(callId), "RINGING", "ANSWERED");
  if (result !== "OK" && !(result === "ANSWERED" && !call.direct)) throw callGone();
  if (result === "OK") {
    await deps.db.callLog.updateMany({ where: { id: callId, status: "RINGING" }, data: { status: "ONGOING", answeredAt: new Date() } });
    await announceEnd(deps, [call.info.from.id], call.info, "ANSWERED");
  }
  await announceEnd(deps, [user.id], call.info, "ANSWERED", true);
  return { meetingCode: call.info.meetingCode };
}

/** A callee declines: a DM's call ends as DECLINED; in a group only this callee stops ringing. */
export async function declineCall(deps: CallDeps, user: ChatUser, callId: string): Promise<void> {
  const call = await loadCall(deps.redis, callId);
  if (!call || call.info.from.id === user.id) throw callGone();
  const wasRinging = (await deps.redis.srem(ringingKey(callId), user.id)) === 1;
  if (!wasRinging) {
    // a callee's other tab declined already: nothing left to do; anyone else learns nothing about the call
    if (!(await membersOf(deps, call.info.conversationId)).includes(user.id)) throw callGone();
    return;
  }
  const othersRinging = await deps.redis.scard(ringingKey(callId));
  if (!call.direct && (othersRinging > 0 || call.state !== "RINGING")) {
    await announceEnd(deps, [user.id], call.info, "DECLINED");
    return;
  }
  if ((await withTransition(deps.redis).chatCallTransition(callKey(callId), "RINGING", "DECLINED")) !== "OK") return;
  await deps.redis.zrem(RINGING_SET, callId);
  await deps.db.callLog.updateMany({ where: { id: callId, status: "RINGING" }, data: { status: "DECLINED", endedAt: new Date() } });
  await endCallMeeting(deps, callId);
  await announceEnd(deps, await membersOf(deps, call.info.conversationId), call.info, "DECLINED");
}

/** The caller hangs up before anyone answered. */
export async function cancelCall(deps: CallDeps, user: ChatUser, callId: string): Promise<void> {
  const call = await loadCall(deps.redis, callId);
  if (!call || call.info.from.id !== user.id) throw callGone();
  const result = await withTransition(deps.redis).chatCallTransition(callKey(callId), "RINGING", "CANCELLED");
  if (result === "ANSWERED") throw new TRPCError({ code: "BAD_REQUEST", message: "This call was answered: leave the meeting to end it." });
  if (result !== "OK") return;
  await deps.redis.multi().zrem(RINGING_SET, callId).del(ringingKey(callId)).exec();
  await deps.db.callLog.updateMany({ where: { id: callId, status: "RINGING" }, data: { status: "CANCELLED", endedAt: new Date() } });
  await endCallMeeting(deps, callId);
  await announceEnd(deps, await membersOf(deps, call.info.conversationId), call.info, "CANCELLED");
}

/** Calls whose ringing time is up: unanswered ones are MISSED; callees still ringing stop. */
export async function expireRinging(deps: CallDeps, now = Date.now()): Promise<number> {
  const due = await deps.redis.zrangebyscore(RINGING_SET, "-inf", now, "LIMIT", 0, 100);
  let expired = 0;
  for (const callId of due) {
    // one node wins each call
    if ((await deps.redis.zrem(RINGING_SET, callId)) !== 1) continue;
    const call = await loadCall(deps.redis, callId);
    if (!call) continue;
    const stillRinging = await deps.redis.smembers(ringingKey(callId));
    await deps.redis.del(ringingKey(callId));
    if ((await withTransition(deps.redis).chatCallTransition(callKey(callId), "RINGING", "MISSED")) === "OK") {
      await deps.db.callLog.updateMany({ where: { id: callId, status: "RINGING" }, data: { status: "MISSED", endedAt: new Date() } });
      webhookEvent(deps.redis, "call.missed", { call: missedCall(call.info) }, callId);
      await endCallMeeting(deps, callId);
      await announceEnd(deps, await membersOf(deps, call.info.conversationId), call.info, "MISSED");
      expired++;
    } else if (stillRinging.length) {
      await announceEnd(deps, stillRinging, call.info, "MISSED");
    }
  }
  return expired;
}

// an answered call nobody joined within this time is over
const NEVER_JOINED_MS = 2 * 60_000;

/** Answered calls whose meeting is empty again: ENDED, endedAt when the last one left. */
export async function endFinishedCalls(deps: CallDeps): Promise<number> {
  const ongoing = await deps.db.callLog.findMany({
    where: { status: "ONGOING" },
    select: { id: true, answeredAt: true, conversationId: true, meetingId: true, kind: true, startedAt: true },
    take: 200,
  });
  let ended = 0;
  for (const call of ongoing) {
    const participants = call.meetingId ? await deps.db.meetingParticipant.findMany({ where: { meetingId: call.meetingId }, select: { leftAt: true } }) : [];
    if (participants.some((p) => p.leftAt === null)) continue;
    const lastLeft = participants.reduce<Date | null>((latest, p) => (p.leftAt && (!latest || p.leftAt > latest) ? p.leftAt : latest), null);
    const answeredAt = call.answeredAt ?? call.startedAt;
    if (!lastLeft || lastLeft < answeredAt) {
      if (Date.now() - answeredAt.getTime() < NEVER_JOINED_MS) continue;
    }
    const endedAt = lastLeft && lastLeft > answeredAt ? lastLeft : answeredAt;
    const { count } = await deps.db.callLog.updateMany({ where: { id: call.id, status: "ONGOING" }, data: { status: "ENDED", endedAt } });
    if (count === 0) continue;
    await endCallMeeting(deps, call.id, call.meetingId);
    if (!call.conversationId) continue;
    ended++;
    const members = await membersOf(deps, call.conversationId);
    await publishChatEvent(deps.redis, members, { type: "call.ended", callId: call.id, conversationId: call.conversationId, status: "ENDED" });
  }
  return ended;
}
