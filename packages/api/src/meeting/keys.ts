// Every Redis key and channel of the meeting domain, in one place (other domains use this domain's functions,
// never these keys).
//   room:{meetingId}:events      stream (capped): the meeting's events, ids for tracked() resumption
//   events:{meetingId}           pub/sub: live fan-out of "<stream id> <type> <to or *> <json>"
//   room:{meetingId}:presence    hash peerId -> node holding the participant's socket (kept by the media owner)
//   room:{meetingId}:mesh        string, TTL: present while the meeting's media runs on the P2P mesh (signals are
//                                relayed only then; after a switch to the SFU it lasts the switch's wind-down)
//   room:{meetingId}:owner       string, TTL: the node that owns the meeting's media
//   node:{nodeId}:load           string, TTL: participants that node's meetings hold (owner choice by least load)
//   cache:room:{meetingId}       JSON, TTL: the meeting's row, read-through from PostgreSQL
//   cache:meeting-code:{code}    string, TTL: the meeting id of a code
//   room:{meetingId}:lobby       hash userId -> JSON of who waits for the host to let them in (admission.ts, lobby.ts)
//   room:{meetingId}:admitted    set, TTL: users who joined or were let in: they pass the lock and the lobby again
//   room:{meetingId}:removed-bots sorted set, TTL: owners whose bot the host removed -> until when (ms) their bots
//                                are refused (bots.ts)
//   lobby:{meetingId}            pub/sub: the lobby changed, or the host decided about someone in it
//   quota:turn:{userId}          counter, TTL to the next UTC midnight: TURN credentials issued to the user today
//                                (services/turnCredentials.ts)
export const meetingKeys = {
  events: (meetingId: string) => `room:${meetingId}:events`,
  channel: (meetingId: string) => `events:${meetingId}`,
  presence: (meetingId: string) => `room:${meetingId}:presence`,
  mesh: (meetingId: string) => `room:${meetingId}:mesh`,
  owner: (meetingId: string) => `room:${meetingId}:owner`,
  nodeLoad: (nodeId: string) => `node:${nodeId}:load`,
  cachedMeeting: (meetingId: string) => `cache:room:${meetingId}`,
  cachedCode: (code: string) => `cache:meeting-code:${code}`,
  lobby: (meetingId: string) => `room:${meetingId}:lobby`,
  admitted: (meetingId: string) => `room:${meetingId}:admitted`,
  removedBots: (meetingId: string) => `room:${meetingId}:removed-bots`,
  lobbyChannel: (meetingId: string) => `lobby:${meetingId}`,
  turnQuota: (userId: string) => `quota:turn:${userId}`,
} as const;
