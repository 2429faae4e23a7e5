// The Lua scripts that change who searches and who is matched. Every change of a person's state runs inside one of
// them, so a match is decided atomically in Redis: two nodes racing for the same waiting person cannot both get
// them (nobody is ever in two matches), and the avoid lists and the recent-pair memory are read in the same step.
// Each script publishes the events it causes (matched, partner left, ...) itself, so no event is lost between a
// decision and its announcement. Redis' own clock (TIME) stamps everything: nodes need not agree on time.
import type { Redis } from "ioredis";
import { REGIONS } from "./preferences.ts";
import { PERSON_TTL_MS, RECORD_TTL_MS, REPEAT_PAIR_MS, SCAN_LIMIT, randomKeyPrefixes as k } from "./keys.ts";

const lua = (text: string) => JSON.stringify(text);

const COMMON = `
local PERSON = ${lua(k.person)}
local AVOID_USER = ${lua(k.avoidUser)}
local AVOID_DEVICE = ${lua(k.avoidDevice)}
local RECORD = ${lua(k.record)}
local ACTIVE = ${lua(k.active)}
local CHANNEL = ${lua(k.channel)}
local REGIONS = { ${REGIONS.map(lua).join(", ")} }
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function person(id)
  local r = redis.call('HGETALL', PERSON .. id)
  if #r == 0 then return nil end
  local p = {}
  for i = 1, #r, 2 do p[r[i]] = r[i + 1] end
  return p
end
local function queueKey(region, text)
  if text == '1' then return ${lua(k.queue)} .. region .. ${lua(k.textOnlySuffix)} end
  return ${lua(k.queue)} .. region
end
local function pairKey(a, b)
  if a < b then return ${lua(k.pair)} .. a .. ':' .. b end
  return ${lua(k.pair)} .. b .. ':' .. a
end
local function emit(id, event) redis.call('PUBLISH', CHANNEL .. id, cjson.encode(event)) end

-- the interests two people share, comma-separated
local function shared(a, b)
  local mine, both = {}, {}
  for tag in string.gmatch(a, '[^,]+') do mine[tag] = true end
  for tag in string.gmatch(b, '[^,]+') do if mine[tag] then both[#both + 1] = tag end end
  return table.concat(both, ',')
end
-- what p accepts now (wreg, wlang, wtags: preferences.ts criteria) admits o
local function accepts(p, o)
  if p.wreg ~= '*' and p.wreg ~= o.region then return false end
  if p.wlang ~= '*' and p.wlang ~= o.lang then return false end
  return p.wtags == '*' or shared(p.tags, o.tags) ~= ''
end
-- p (by user or by device) must never meet o (by user or by device)
local function avoids(id, p, otherId, o)
  for _, key in ipairs({ AVOID_USER .. id, AVOID_DEVICE .. p.device }) do
    if redis.call('SISMEMBER', key, 'u:' .. otherId) == 1 or redis.call('SISMEMBER', key, 'd:' .. o.device) == 1 then return true end
  end
  return false
end

-- the longest-waiting person p and they accept each other: own region first, every region once p accepts any
local function findPartner(id, p)
  local regions = { p.region }
  if p.wreg == '*' then
    for _, r in ipairs(REGIONS) do if r ~= p.region then regions[#regions + 1] = r end end
  end
  for _, region in ipairs(regions) do
    local q = queueKey(region, p.text)
    for _, cid in ipairs(redis.call('ZRANGE', q, 0, ${SCAN_LIMIT - 1})) do
      if cid ~= id then
        local c = person(cid)
        if not c or c.state ~= 'queued' or queueKey(c.region, c.text) ~= q then
          -- gone (its node stopped refreshing it) or queued elsewhere since
          redis.call('ZREM', q, cid)
        elseif accepts(p, c) and accepts(c, p) and redis.call('EXISTS', pairKey(id, cid)) == 0
          and not avoids(id, p, cid, c) and not avoids(cid, c, id, p) then
          return cid, c
        end
      end
    end
  end
  return nil
end

-- id (who searched just now: they make the WebRTC offer) and cid become a match; both are told, with the trace of
-- the search that matched them (tc, a W3C traceparent) when it is traced
local function commit(id, p, cid, c, matchId, trace)
  local tc = nil
  if trace ~= '' then tc = trace end
  redis.call('ZREM', queueKey(p.region, p.text), id)
  redis.call('ZREM', queueKey(c.region, c.text), cid)
  local both = shared(p.tags, c.tags)
  redis.call('HSET', PERSON .. id, 'state', 'matched', 'match', matchId, 'partner', cid, 'pname', c.name, 'shared', both, 'offer', '1')
  redis.call('HSET', PERSON .. cid, 'state', 'matched', 'match', matchId, 'partner', id, 'pname', p.name, 'shared', both, 'offer', '0')
  redis.call('SET', pairKey(id, cid), '1', 'PX', ${REPEAT_PAIR_MS})
  local record = { matchId = matchId, startedAt = now, endedAt = cjson.null, sharedInterests = both, textOnly = p.text == '1',
    a = { userId = id, deviceId = p.device, ip = p.ip }, b = { userId = cid, deviceId = c.device, ip = c.ip } }
  redis.call('SET', RECORD .. matchId, cjson.encode(record), 'PX', ${RECORD_TTL_MS})
  redis.call('ZADD', ACTIVE, now, matchId)
  local textOnly = p.text == '1'
  emit(id, { type = 'matched', matchId = matchId, partnerName = c.name, shared = both, youOffer = true, textOnly = textOnly, tc = tc })
  emit(cid, { type = 'matched', matchId = matchId, partnerName = p.name, shared = both, youOffer = false, textOnly = textOnly, tc = tc })
  -- how long each of the two searched (ms), for the match latency counters
  return { tostring(now - tonumber(p.since)), tostring(now - tonumber(c.since)) }
end

-- p's match ends: the partner is told and keeps the match id (Next is allowed from "ended"), the record gets its end
local function endMatch(p)
  redis.call('ZREM', ACTIVE, p.match)
  local cid = p.partner
  local c = person(cid)
  if c and c.state == 'matched' and c.match == p.match then
    redis.call('HSET', PERSON .. cid, 'state', 'ended')
    emit(cid, { type = 'partnerLeft', matchId = p.match })
  end
  local raw = redis.call('GET', RECORD .. p.match)
  if raw then
    local record = cjson.decode(raw)
    record.endedAt = now
    redis.call('SET', RECORD .. p.match, cjson.encode(record), 'KEEPTTL')
  end
end
`;

/**
 * Start or Next. ARGV: userId, mode ("start" | "next"), name, deviceId, ip, region, language, interests, textOnly
 * ("1"/"0"), accepted region, language, interests (stage 0), node, connection, a fresh match id, the match id Next
 * names ("" for any), the caller's traceparent ("" when not traced). Start is refused while queued or matched; Next while idle or queued, or naming another match.
 * Next ends the current match first. Then the person is queued and matched at once if someone they accept waits.
 * Returns {"matched", matchId, wait ms of each of the two} | {"searching"} | {"already" | "nopartner" | "stale", state}.
 */
const ENQUEUE = `${COMMON}
local id, mode = ARGV[1], ARGV[2]
local p = person(id)
local state = p and p.state or 'idle'
if mode == 'start' and (state == 'queued' or state == 'matched') then return { 'already', state } end
if mode == 'next' then
  if state == 'idle' or state == 'queued' then return { 'nopartner', state } end
  if ARGV[16] ~= '' and p.match ~= ARGV[16] then return { 'stale', state } end
  if state == 'matched' then endMatch(p) end
end
local key = PERSON .. id
redis.call('DEL', key)
local me = { state = 'queued', name = ARGV[3], device = ARGV[4], ip = ARGV[5], region = ARGV[6], lang = ARGV[7], tags = ARGV[8], text = ARGV[9],
  wreg = ARGV[10], wlang = ARGV[11], wtags = ARGV[12], stage = '0', since = tostring(now), node = ARGV[13], conn = ARGV[14], match = p and p.match or '' }
for field, value in pairs(me) do redis.call('HSET', key, field, value) end
redis.call('PEXPIRE', key, ${PERSON_TTL_MS})
redis.call('ZADD', queueKey(me.region, me.text), now, id)
local cid, c = findPartner(id, me)
if cid then
  local waits = commit(id, me, cid, c, ARGV[15], ARGV[17])
  return { 'matched', ARGV[15], waits[1], waits[2] }
end
emit(id, { type = 'searching', since = now, stage = 0 })
return { 'searching' }
`;

/**
 * A searching person's periodic try (their node's timer): widens what they accept when their stage grew, then looks
 * for a partner again. ARGV: userId, connection, stage, accepted region, language, interests, a fresh match id, the traceparent ("" when not traced).
 * Returns {"matched", matchId, wait ms of each of the two} | {"searching"} | {state} when not searching ("matched", "ended") | {"idle"} | {"moved"}
 * (their Start is held by another socket now).
 */
const TRY = `${COMMON}
local id = ARGV[1]
local p = person(id)
if not p then return { 'idle' } end
if p.conn ~= ARGV[2] then return { 'moved' } end
if p.state ~= 'queued' then return { p.state } end
if tonumber(ARGV[3]) > tonumber(p.stage) then
  redis.call('HSET', PERSON .. id, 'stage', ARGV[3], 'wreg', ARGV[4], 'wlang', ARGV[5], 'wtags', ARGV[6])
  p.stage, p.wreg, p.wlang, p.wtags = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
  emit(id, { type = 'widened', stage = tonumber(ARGV[3]) })
end
local cid, c = findPartner(id, p)
if cid then
  local waits = commit(id, p, cid, c, ARGV[7], ARGV[8])
  return { 'matched', ARGV[7], waits[1], waits[2] }
end
return { 'searching' }
`;

/**
 * Leaves: ends the match (the partner is told) or the search. ARGV: userId, reason ("stopped" | "disconnected" |
 * "removed" | "refused"), connection ("" for any; else only if that socket still holds the person's Start).
 * "refused" (Next refused by moderation) keeps the person as "ended"; the others forget them. Returns the state left.
 */
const LEAVE = `${COMMON}
local id = ARGV[1]
local p = person(id)
if not p then return 'idle' end
if ARGV[3] ~= '' and p.conn ~= ARGV[3] then return 'moved' end
if p.state == 'matched' then endMatch(p) end
if p.state == 'queued' then redis.call('ZREM', queueKey(p.region, p.text), id) end
if ARGV[2] == 'refused' then redis.call('HSET', PERSON .. id, 'state', 'ended') else redis.call('DEL', PERSON .. id) end
emit(id, { type = 'ended', reason = ARGV[2] })
return p.state
`;

/**
 * Relays an event (ARGV[3], JSON) to the partner of ARGV[1] in match ARGV[2]; 0 when that is not their current match.
 */
const RELAY = `
local r = redis.call('HMGET', ${lua(k.person)} .. ARGV[1], 'state', 'match', 'partner')
if r[1] ~= 'matched' or r[2] ~= ARGV[2] then return 0 end
redis.call('PUBLISH', ${lua(k.channel)} .. r[3], ARGV[3])
return 1
`;

export type LeaveReason = "stopped" | "disconnected" | "removed" | "refused";
export type PersonState = "idle" | "queued" | "matched" | "ended";

type RedisWithMatching = Redis & {
  randomEnqueue(...args: string[]): Promise<string[]>;
  randomTry(...args: string[]): Promise<string[]>;
  randomLeave(...args: string[]): Promise<string>;
  randomRelay(...args: string[]): Promise<number>;
};

export function matching(redis: Redis): RedisWithMatching {
  const r = redis as RedisWithMatching;
  if (typeof r.randomEnqueue !== "function") {
    redis.defineCommand("randomEnqueue", { numberOfKeys: 0, lua: ENQUEUE });
    redis.defineCommand("randomTry", { numberOfKeys: 0, lua: TRY });
    redis.defineCommand("randomLeave", { numberOfKeys: 0, lua: LEAVE });
    redis.defineCommand("randomRelay", { numberOfKeys: 0, lua: RELAY });
  }
  return r;
}
