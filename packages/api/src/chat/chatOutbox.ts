// Broadcast first, persist after. A sent message is delivered to every member's event stream and queued in
// the durable stream `chat:outbox` in one Lua script (so nothing is broadcast that is not queued); the
// persister (chatPersister.ts) writes the outbox to PostgreSQL. Until it has, the message also sits in its
// conversation's pending index, which history merges, so nothing disappears while PostgreSQL is down or
// behind. Redis keys:
//   chat:outbox                          stream of OutboxEntry (field "e"; "tc": the sender's trace, when traced)
//   chat:pending:{conversationId}        hash messageId -> StoredMessage (newest version not yet stored)
//   chat:client:{senderId}:{clientId}    the message a client id produced (7 days): re-sends return it
//   chat:msg:{messageId}                 its conversation id (7 days), to find unstored messages by id
//   chat:clock:{conversationId}          last createdAt (ms): strictly increasing in send order
//   chat:last:{conversationId}           the newest message (7 days), for previews before it is stored
//   chat:read:{userId}                   hash conversationId -> "<createdAt ms> <messageId>" of the newest read
//   chat:msg:{messageId}:entries         list of "<stream key> <entry id>" (7 days): the stream entries holding its
//                                        text (its message.new and message.edited events in the members' streams,
//                                        its versions in the outbox), deleted (XDEL) when the message is
//   chat:deleted:{messageId}             its deletedAt (ms, 7 days, as long as the event streams keep events): the
//                                        copies of its text outside those entries (quotes in replies, a stored
//                                        row not updated yet) are scrubbed wherever they are read
import type { Redis } from "ioredis";
import { FAN_OUT_LUA, USER_STREAM_MAXLEN, USER_STREAM_TTL_MS, userChannel, userStreamKey } from "./chatEvents.ts";
import type { StoredMessage } from "./messages.ts";
import { hasReplicas } from "../services/redis.ts";
import { currentTraceparent } from "../tracing/traceContext.ts";

export const OUTBOX = "chat:outbox";
export const KEY_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a send waits for a replica to hold the message before it is refused (and resent by the client). */
const REPLICA_ACK_MS = 500;

export const pendingKey = (conversationId: string) => `chat:pending:${conversationId}`;
export const clientKey = (senderId: string, clientId: string) => `chat:client:${senderId}:${clientId}`;
export const messageKey = (messageId: string) => `chat:msg:${messageId}`;
export const clockKey = (conversationId: string) => `chat:clock:${conversationId}`;
export const lastMessageKey = (conversationId: string) => `chat:last:${conversationId}`;
export const readKey = (userId: string) => `chat:read:${userId}`;
export const deletedKey = (messageId: string) => `chat:deleted:${messageId}`;
export const entriesKey = (messageId: string) => `chat:msg:${messageId}:entries`;

export type OutboxEntry =
  /** a new message, or a new version of one (edit, delete): stored once, newest version wins */
  | { op: "message"; m: StoredMessage }
  /** `userId` read `conversationId` up to the message `messageId` created at `at` */
  | { op: "read"; conversationId: string; userId: string; messageId: string; at: number; readAt: number };

const SEND_LUA = `${FAN_OUT_LUA}
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[5]) or '0')
if now <= last then now = last + 1 end
redis.call('SET', KEYS[5], now, 'PX', 86400000)
local m = cjson.decode(ARGV[1])
m.createdAt = now
local json = cjson.encode(m)
local entries = fanOut('{"type":"message.new","m":' .. json .. '}', 8, 6, ARGV[2], ARGV[3], ARGV[5])
local queued
if ARGV[5] == '' then queued = redis.call('XADD', KEYS[2], '*', 'e', '{"op":"message","m":' .. json .. '}')
else queued = redis.call('XADD', KEYS[2], '*', 'e', '{"op":"message","m":' .. json .. '}', 'tc', ARGV[5]) end
entries[#entries + 1] = KEYS[2] .. ' ' .. queued
redis.call('RPUSH', KEYS[7], unpack(entries))
redis.call('PEXPIRE', KEYS[7], ARGV[4])
redis.call('HSET', KEYS[3], m.id, json)
redis.call('SET', KEYS[1], json, 'PX', ARGV[4])
redis.call('SET', KEYS[4], m.conversationId, 'PX', ARGV[4])
redis.call('SET', KEYS[6], json, 'PX', ARGV[4])
return {1, json}
`;

// KEYS: outbox, pending, last, deleted marker, the sender's client-id key, the message's entries, then the members'
// streams. A deletion removes every stream entry that held the text (they are named in the entries list, whatever
// streams they are in: a member may have left since). The outbox loses none of the message: the deleted version
// queued here carries all of it, and the persister stores a version whether or not the original was stored.
const UPDATE_LUA = `${FAN_OUT_LUA}
local m = cjson.decode(ARGV[1])
local current = redis.call('HGET', KEYS[2], m.id)
if current then
  local v = cjson.decode(current).v
  if v >= m.v then m.v = v + 1 end
end
local json = cjson.encode(m)
local entries = fanOut('{"type":"' .. ARGV[2] .. '","m":' .. json .. '}', 7, 7, ARGV[3], ARGV[4], ARGV[6])
local queued = redis.call('XADD', KEYS[1], '*', 'e', '{"op":"message","m":' .. json .. '}')
redis.call('HSET', KEYS[2], m.id, json)
local last = redis.call('GET', KEYS[3])
if last and cjson.decode(last).id == m.id then redis.call('SET', KEYS[3], json, 'KEEPTTL') end
if ARGV[2] == 'message.deleted' then
  for _, entry in ipairs(redis.call('LRANGE', KEYS[6], 0, -1)) do
    local space = string.find(entry, ' ', 1, true)
    redis.call('XDEL', string.sub(entry, 1, space - 1), string.sub(entry, space + 1))
  end
  redis.call('DEL', KEYS[6])
  redis.call('SET', KEYS[4], m.deletedAt, 'PX', ARGV[5])
  redis.call('SET', KEYS[5], json, 'XX', 'KEEPTTL')
else
  entries[#entries + 1] = KEYS[1] .. ' ' .. queued
  redis.call('RPUSH', KEYS[6], unpack(entries))
  redis.call('PEXPIRE', KEYS[6], ARGV[5])
end
return json
`;

// ARGV[1] version: deletes the pending entry unless a newer version arrived meanwhile
const SETTLE_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and cjson.decode(current).v <= tonumber(ARGV[2]) then redis.call('HDEL', KEYS[1], ARGV[1]) return 1 end
return 0
`;

type ChatRedis = Redis & {
  chatSend(numKeys: number, ...args: string[]): Promise<[number, string]>;
  chatUpdate(numKeys: number, ...args: string[]): Promise<string>;
  chatSettle(key: string, messageId: string, version: number): Promise<number>;
};

function scripts(redis: Redis): ChatRedis {
  const r = redis as ChatRedis;
  if (typeof r.chatSend !== "function") {
    redis.defineCommand("chatSend", { lua: SEND_LUA });
    redis.defineCommand("chatUpdate", { lua: UPDATE_LUA });
    redis.defineCommand("chatSettle", { numberOfKeys: 1, lua: SETTLE_LUA });
  }
  return r;
}

/**
 * Sends `message` (its createdAt is assigned here, strictly after the conversation's previous message) to
 * `memberIds` and queues it. A second send with the same (sender, clientId) changes nothing and returns the
 * first message (`duplicate`).
 */
export async function sendMessage(redis: Redis, message: Omit<StoredMessage, "createdAt">, memberIds: string[]): Promise<{ message: StoredMessage; duplicate: boolean }> {
  const keys = [
    clientKey(message.senderId, message.clientId),
    OUTBOX,
    pendingKey(message.conversationId),
    messageKey(message.id),
    clockKey(message.conversationId),
    lastMessageKey(message.conversationId),
    entriesKey(message.id),
    ...memberIds.map(userStreamKey),
  ];
  const [created, json] = await scripts(redis).chatSend(
    keys.length,
    ...keys,
    JSON.stringify({ ...message, createdAt: 0 }),
    String(USER_STREAM_MAXLEN),
    String(USER_STREAM_TTL_MS),
    String(KEY_TTL_MS),
    currentTraceparent(),
    ...memberIds.map(userChannel),
  );
  await awaitReplica(redis);
  return { message: JSON.parse(json) as StoredMessage, duplicate: created === 0 };
}

/**
 * A sent message is acknowledged only once a replica holds it. Redis replicates asynchronously: a master that dies
 * right after answering takes its last writes along, and Sentinel promotes a replica that never saw them, so an
 * acknowledged message would vanish (from the outbox, the pending index and the members' streams) before the
 * persister stored it. `WAIT 1` after the script closes that window for this connection's writes: when it times
 * out the send is refused as Redis being unavailable, and the client's resend with the same client id either finds
 * the message (it did survive) or sends it again on the new master; PostgreSQL's (senderId, clientId) key keeps it
 * one message. A resend that finds the message waits too: WAIT counts everything written before it, the original
 * included. Chosen over `min-replicas-to-write` (which refuses every write, presence and rate limits included, when
 * replicas lag) and over AOF `always` (which survives a restart, not the loss of the machine). Without Sentinel
 * there is no replica to wait for and nothing to fail over to.
 */
async function awaitReplica(redis: Redis): Promise<void> {
  if (!hasReplicas(redis)) return;
  const replicas = await redis.wait(1, REPLICA_ACK_MS);
  if (replicas < 1) throw new Error(`Redis: the message is not replicated yet (no replica acknowledged it within ${REPLICA_ACK_MS} ms)`);
}

/** Broadcasts and queues a new version of a message (edited or deleted); returns it as queued. */
export async function updateMessage(redis: Redis, message: StoredMessage, type: "message.edited" | "message.deleted", memberIds: string[]): Promise<StoredMessage> {
  const keys = [
    OUTBOX,
    pendingKey(message.conversationId),
    lastMessageKey(message.conversationId),
    deletedKey(message.id),
    clientKey(message.senderId, message.clientId),
    entriesKey(message.id),
    ...memberIds.map(userStreamKey),
  ];
  const json = await scripts(redis).chatUpdate(
    keys.length,
    ...keys,
    JSON.stringify(message),
    type,
    String(USER_STREAM_MAXLEN),
    String(USER_STREAM_TTL_MS),
    String(KEY_TTL_MS),
    currentTraceparent(),
    ...memberIds.map(userChannel),
  );
  return JSON.parse(json) as StoredMessage;
}

/** Queues a read marker; the reader's own view of it (chat:read) changes at once. */
export async function queueRead(redis: Redis, entry: Extract<OutboxEntry, { op: "read" }>): Promise<void> {
  await redis
    .multi()
    .hset(readKey(entry.userId), entry.conversationId, `${entry.at} ${entry.messageId}`)
    .pexpire(readKey(entry.userId), KEY_TTL_MS)
    .xadd(OUTBOX, "*", "e", JSON.stringify(entry))
    .exec();
}

/** Messages of a conversation not stored yet (or with a newer version than the stored one). */
export async function pendingMessages(redis: Redis, conversationId: string): Promise<StoredMessage[]> {
  const values = await redis.hvals(pendingKey(conversationId));
  return values.map((v) => JSON.parse(v) as StoredMessage);
}

/** A message still pending by id (wherever its conversation is), or null. */
export async function pendingMessage(redis: Redis, messageId: string): Promise<StoredMessage | null> {
  const conversationId = await redis.get(messageKey(messageId));
  if (!conversationId) return null;
  const json = await redis.hget(pendingKey(conversationId), messageId);
  return json ? (JSON.parse(json) as StoredMessage) : null;
}

/** After the persister stored these versions: drops them from the pending index (not newer ones). */
export async function settlePending(redis: Redis, stored: StoredMessage[]): Promise<void> {
  if (stored.length === 0) return;
  // the script commands must exist on the connection before the pipeline is made: a pipeline copies them
  scripts(redis);
  const pipeline = redis.pipeline() as unknown as ChatRedis & { exec(): Promise<unknown> };
  for (const m of stored) pipeline.chatSettle(pendingKey(m.conversationId), m.id, m.v);
  await pipeline.exec();
}

/** The user's read markers from Redis (newer than PostgreSQL's while the outbox drains). */
export async function readMarkers(redis: Redis, userId: string, conversationIds: string[]): Promise<Map<string, { at: number; messageId: string }>> {
  const markers = new Map<string, { at: number; messageId: string }>();
  if (conversationIds.length === 0) return markers;
  const values = await redis.hmget(readKey(userId), ...conversationIds);
  values.forEach((value, i) => {
    if (!value) return;
    const [at, messageId] = value.split(" ");
    markers.set(conversationIds[i]!, { at: Number(at), messageId: messageId! });
  });
  return markers;
}

/** The newest messages by conversation from Redis (possibly not stored yet). */
export async function lastMessages(redis: Redis, conversationIds: string[]): Promise<Map<string, StoredMessage>> {
  const found = new Map<string, StoredMessage>();
  if (conversationIds.length === 0) return found;
  const values = await redis.mget(...conversationIds.map(lastMessageKey));
  values.forEach((value, i) => {
    if (value) found.set(conversationIds[i]!, JSON.parse(value) as StoredMessage);
  });
  return found;
}

/**
 * The messages as they may be shown now: a message deleted since this copy was made (an event in a stream, a
 * pending or cached version, a stored reply whose target's deletion is not stored yet) loses its text, and so
 * does the quote of it in a reply.
 */
export async function scrubDeleted(redis: Redis, messages: StoredMessage[]): Promise<StoredMessage[]> {
  const ids = [...new Set(messages.flatMap((m) => [...(m.deletedAt ? [] : [m.id]), ...(m.replyTo?.body ? [m.replyTo.id] : [])]))];
  if (ids.length === 0) return messages;
  const values = await redis.mget(...ids.map(deletedKey));
  const deletedAt = new Map<string, number>();
  values.forEach((value, i) => {
    if (value) deletedAt.set(ids[i]!, Number(value));
  });
  if (deletedAt.size === 0) return messages;
  return messages.map((m) => {
    const gone = m.deletedAt ? undefined : deletedAt.get(m.id);
    const quote = m.replyTo && deletedAt.has(m.replyTo.id) ? { ...m.replyTo, body: "" } : m.replyTo;
    if (gone === undefined && quote === m.replyTo) return m;
    return { ...m, replyTo: quote, ...(gone === undefined ? {} : { body: "", deletedAt: gone }) };
  });
}
