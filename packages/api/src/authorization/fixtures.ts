// How to call each procedure validly for an object: the one place a new procedure needs an entry (the
// authorization matrix and the fuzzing tests fail, naming the procedure, until it has one). An entry names the
// object kind its input refers to (objects.ts builds a fresh one for every call) and builds the input as
// `as` would send it: "host" and "member" with their own ids (their peer in a meeting), "outsider" replaying
// the host's ids (what a caller with no relation tries). Keyed by the procedure's path in its router.
import { randomUUID } from "node:crypto";
import { GUEST_MEMBER_KINDS, type ObjectKind, type ObjectOf } from "./objects.ts";

export type Acting = "host" | "member" | "outsider";

export interface Fixture<K extends ObjectKind = ObjectKind> {
  object: K;
  input: (object: ObjectOf<K>, as: Acting) => unknown;
  /** the call ends the caller's sessions (sign out everywhere): the matrix gives it callers of its own */
  endsSession?: true;
  /** for the matrix's guest member: an object of this kind instead (it has `object`'s fields, and a guest member) */
  guestMemberObject?: ObjectKind;
}

interface FixtureOptions<K extends ObjectKind> {
  endsSession?: true;
  guestMemberObject?: { [G in ObjectKind]: ObjectOf<G> extends ObjectOf<K> ? G : never }[ObjectKind];
}

const fixture = <K extends ObjectKind>(object: K, input: Fixture<K>["input"], options: FixtureOptions<K> = {}): Fixture => ({ object, input, ...options }) as unknown as Fixture;

const none = fixture("none", () => undefined);
/** the acting participant: the member's own peer, else the host's (an outsider sends the host's) */
const peer = (o: ObjectOf<"liveMeeting">, as: Acting) => ({ meetingId: o.meetingId, peerId: as === "member" ? o.memberPeerId : o.hostPeerId });
/** the acting participant and the other one as the target */
const peerAndTarget = (o: ObjectOf<"liveMeeting">, as: Acting) => ({ ...peer(o, as), targetPeerId: as === "member" ? o.hostPeerId : o.memberPeerId });
const inMeeting = (extra: Record<string, unknown> = {}) => fixture("liveMeeting", (o, as) => ({ ...peer(o, as), ...extra }));
/** conversations: a group for accounts; the guest member is checked in a meeting's chat (a guest cannot join a group) */
const inMeetingChat = { guestMemberObject: "meetingChat" } as const;
/** a random-chat device id nobody else uses */
const matrixDevice = () => `matrix-${randomUUID()}`;
const opus = { codecs: [{ mimeType: "audio/opus", payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] };

export const fixtures: Record<string, Fixture> = {
  // web (appRouter)
  "auth.me": none,
  "auth.register": fixture("none", () => ({ name: "New Person", email: `matrix-${randomUUID()}@example.test`, password: "correct horse battery" })),
  "auth.signOutEverywhere": fixture("none", () => undefined, { endsSession: true }),
  "auth.challenge": fixture("none", () => ({ purpose: "register" })),
  "user.current": none,
  "user.updateProfile": fixture("none", () => ({ name: "Renamed Person" })),
  "user.search": fixture("none", () => ({ query: "Matrix" })),
  "user.contacts": none,
  "user.block": fixture("none", (o) => ({ userId: o.memberId })),
  "user.unblock": fixture("none", (o) => ({ userId: o.memberId })),
  "user.blocked": none,
  "apiTokens.create": fixture("none", () => ({ name: "Matrix token", scopes: ["chat:read"], expiresAt: new Date(Date.now() + 86_400_000) })),
  "apiTokens.list": none,
  "apiTokens.revoke": fixture("none", () => ({ tokenId: randomUUID() })),
  // a public address literal: no DNS lookup; ids made up (an allowed caller gets NOT_FOUND, anyone else nothing)
  "webhooks.create": fixture("none", () => ({ url: "https://93.184.216.34/matrix", events: ["meeting.started"] })),
  "webhooks.list": none,
  "webhooks.update": fixture("none", () => ({ endpointId: randomUUID(), enabled: false })),
  "webhooks.delete": fixture("none", () => ({ endpointId: randomUUID() })),
  "webhooks.rotateSecret": fixture("none", () => ({ endpointId: randomUUID() })),
  "webhooks.deliveries": fixture("none", () => ({ endpointId: randomUUID() })),
  "webhooks.sendTest": fixture("none", () => ({ endpointId: randomUUID() })),
  "meeting.create": fixture("none", () => ({ title: "Made by the matrix" })),
  "meeting.get": fixture("meeting", (o) => ({ code: o.code })),
  "meeting.exists": fixture("meeting", (o) => ({ code: o.code })),
  "meeting.listMine": fixture("none", () => ({})),
  "meeting.end": fixture("liveMeeting", (o) => ({ code: o.code })),
  "meeting.setAccess": fixture("liveMeeting", (o) => ({ code: o.code, lobbyEnabled: true })),
  "meeting.admit": fixture("liveMeeting", (o) => ({ code: o.code, userId: o.memberId })),
  "meeting.deny": fixture("liveMeeting", (o) => ({ code: o.code, userId: o.memberId })),
  "meeting.allowBack": fixture("liveMeeting", (o) => ({ code: o.code, userId: o.memberId })),
  "admin.overview": none,
  "admin.users.search": fixture("none", () => ({ query: "Member" })),
  "admin.users.get": fixture("none", (o) => ({ userId: o.memberId })),
  "admin.users.setRole": fixture("none", (o) => ({ userId: o.memberId, role: "ADMIN", reason: "Promoted by the matrix" })),
  "admin.users.signOutEverywhere": fixture("none", (o) => ({ userId: o.memberId, reason: "Signed out by the matrix" })),
  "admin.users.ban": fixture("none", (o) => ({ userId: o.memberId, reason: "Banned by the matrix", durationMinutes: 1 })),
  "admin.meetings.live": fixture("none", () => ({ limit: 5 })),
  "admin.meetings.end": fixture("liveMeeting", (o) => ({ meetingId: o.meetingId, reason: "Ended by the matrix" })),
  "admin.meetings.removeParticipant": fixture("liveMeeting", (o) => ({ meetingId: o.meetingId, userId: o.memberId, reason: "Removed by the matrix" })),
  "admin.audit.list": fixture("none", () => ({ filter: { action: "user.*" }, limit: 10 })),
  "admin.audit.actions": none,
  "admin.audit.verify": none,
  "admin.tokens.list": fixture("none", () => ({ limit: 5 })),
  "admin.tokens.revoke": fixture("none", () => ({ tokenId: randomUUID() })),
  "admin.webhooks.list": fixture("none", () => ({ limit: 5 })),
  "admin.webhooks.deliveries": fixture("none", () => ({ endpointId: randomUUID() })),
  "admin.webhooks.disable": fixture("none", () => ({ endpointId: randomUUID(), reason: "Disabled by the matrix" })),
  // the admin console's moderation: made-up ids (an admin gets NOT_FOUND, anyone else nothing at all)
  "admin.reports.list": fixture("none", () => ({})),
  "admin.reports.dismiss": fixture("none", () => ({ reportId: randomUUID(), reason: "Dismissed by the matrix" })),
  "admin.reports.warn": fixture("none", () => ({ reportId: randomUUID(), reason: "Warned by the matrix" })),
  "admin.reports.ban": fixture("none", () => ({ reportIds: [randomUUID()], target: "device", reason: "Banned by the matrix", durationMinutes: 1 })),
  "admin.bans.list": fixture("none", () => ({ query: "matrix" })),
  "admin.bans.create": fixture("none", () => ({ kind: "device", value: matrixDevice(), reason: "Banned by the matrix", durationMinutes: 1 })),
  "admin.bans.lift": fixture("none", () => ({ banId: randomUUID(), reason: "Lifted by the matrix" })),
  "admin.appeals.list": fixture("none", () => ({})),
  "admin.appeals.accept": fixture("none", () => ({ appealId: randomUUID(), note: "Accepted by the matrix" })),
  "admin.appeals.reject": fixture("none", () => ({ appealId: randomUUID(), note: "Rejected by the matrix" })),
  "chat.list": none,
  "metrics.reportMedia": fixture("none", () => ({ kind: "ice", mode: "SFU", event: "restarted" })),
  "chat.get": fixture("group", (o) => ({ conversationId: o.conversationId }), inMeetingChat),
  "chat.history": fixture("group", (o) => ({ conversationId: o.conversationId }), inMeetingChat),
  "chat.search": fixture("group", (o) => ({ conversationId: o.conversationId, query: "message" }), inMeetingChat),
  "chat.createDirect": fixture("none", (o) => ({ userId: o.memberId })),
  "chat.createGroup": fixture("none", (o) => ({ title: "Made by the matrix", memberIds: [o.memberId] })),
  "chat.rename": fixture("group", (o) => ({ conversationId: o.conversationId, title: "Renamed group" })),
  "chat.addMembers": fixture("group", (o) => ({ conversationId: o.conversationId, userIds: [o.bystanderId] })),
  "chat.removeMember": fixture("group", (o, as) => ({ conversationId: o.conversationId, userId: as === "member" ? o.hostId : o.memberId })),
  "chat.invitations": none,
  "chat.acceptInvitation": fixture("invitation", (o) => ({ conversationId: o.conversationId })),
  "chat.declineInvitation": fixture("invitation", (o) => ({ conversationId: o.conversationId })),

  // realtime (realtimeRouter; "auth.me" above serves both)
  "adminLive.dashboard": none,
  "presence.online": none,
  "room.join": fixture("meeting", (o) => ({ code: o.code })),
  // from the start of the log: an allowed caller gets the joins at once instead of waiting for an event
  "room.events": inMeeting({ lastEventId: "0-0" }),
  "room.leave": inMeeting(),
  "room.iceServers": inMeeting(),
  "room.reconnectMedia": inMeeting(),
  "room.signal": fixture("liveMeeting", (o, as) => ({ ...peerAndTarget(o, as), signal: { candidate: { candidate: "", sdpMid: "0", sdpMLineIndex: 0 } } })),
  "room.playback": inMeeting({ url: "https://example.com/song.mp3", playing: true, position: 0 }),
  "room.setMeshThreshold": inMeeting({ meshThreshold: 4 }),
  "room.setPlaybackAllowed": inMeeting({ allowed: true }),
  "room.muteParticipant": fixture("liveMeeting", peerAndTarget),
  "room.setMicMuted": inMeeting({ muted: true }),
  "room.removeParticipant": fixture("liveMeeting", peerAndTarget),
  "room.end": inMeeting(),
  "media.createTransport": inMeeting({ direction: "send" }),
  "media.connectTransport": inMeeting({ transportId: "transport", dtlsParameters: { role: "client", fingerprints: [{ algorithm: "sha-256", value: "AA:BB" }] } }),
  "media.produce": inMeeting({ transportId: "transport", kind: "audio", rtpParameters: opus, source: "mic" }),
  "media.consume": inMeeting({ transportId: "transport", producerId: "producer", rtpCapabilities: { codecs: [] } }),
  "media.resumeConsumer": inMeeting({ consumerId: "consumer" }),
  "media.pauseConsumer": inMeeting({ consumerId: "consumer" }),
  "media.setPreferredLayers": inMeeting({ consumerId: "consumer", spatialLayer: 0 }),
  "media.pauseProducer": inMeeting({ producerId: "producer" }),
  "media.resumeProducer": inMeeting({ producerId: "producer" }),
  "media.closeProducer": inMeeting({ producerId: "producer" }),
  "media.closeTransports": inMeeting(),
  "media.restartIce": inMeeting({ transportId: "transport" }),
  // a participant who is not a bot passes authorization and is then told to join as one (PRECONDITION_FAILED)
  "bot.join": fixture("meeting", (o) => ({ code: o.code, name: "Matrix bot" })),
  "bot.createSendTransport": inMeeting(),
  "bot.createRecvTransport": inMeeting({ port: 40_000 }),
  "bot.produce": inMeeting({ transportId: "transport", kind: "audio", rtpParameters: opus, source: "mic" }),
  "bot.consume": inMeeting({ transportId: "transport", producerId: "producer", rtpCapabilities: { codecs: [] } }),
  "bot.resumeConsumer": inMeeting({ consumerId: "consumer" }),
  "lobby.knock": fixture("meeting", (o) => ({ code: o.code })),
  "lobby.watch": fixture("liveMeeting", (o) => ({ code: o.code })),
  "chat.events": fixture("none", () => ({ lastEventId: "0-0" })),
  "chat.send": fixture("group", (o) => ({ conversationId: o.conversationId, clientId: randomUUID(), body: "hello from the matrix" }), inMeetingChat),
  "chat.edit": fixture("groupMessage", (o) => ({ messageId: o.messageId, body: "edited by the matrix" }), inMeetingChat),
  "chat.delete": fixture("groupMessage", (o) => ({ messageId: o.messageId }), inMeetingChat),
  "chat.typing": fixture("group", (o) => ({ conversationId: o.conversationId }), inMeetingChat),
  "chat.markRead": fixture("groupMessage", (o) => ({ conversationId: o.conversationId, messageId: o.messageId }), inMeetingChat),
  "chat.meetingConversation": fixture("liveMeeting", (o) => ({ meetingId: o.meetingId })),
  "calls.start": fixture("direct", (o) => ({ conversationId: o.conversationId, kind: "AUDIO" })),
  "calls.accept": fixture("callToHost", (o) => ({ callId: o.callId })),
  "calls.decline": fixture("callToHost", (o) => ({ callId: o.callId })),
  "calls.cancel": fixture("callFromHost", (o) => ({ callId: o.callId })),
  // random-chat moderation: the match, the ban and the device are checked by the handlers (a made-up one is NOT_FOUND)
  "moderation.report": fixture("none", () => ({ matchId: randomUUID(), reason: "spam" })),
  "moderation.block": fixture("none", () => ({ matchId: randomUUID() })),
  "moderation.banStatus": fixture("none", () => ({ deviceId: matrixDevice() })),
  "moderation.appeal": fixture("none", () => ({ deviceId: matrixDevice(), banId: randomUUID(), message: "Please lift it." })),
  "moderation.challenge": fixture("none", () => ({ deviceId: matrixDevice() })),
  "moderation.notices": fixture("none", () => ({ deviceId: matrixDevice() })),
  "moderation.acknowledgeNotice": fixture("none", () => ({ deviceId: matrixDevice(), noticeId: randomUUID() })),
  "adminLive.reportQueue": none,
  // random chat: the caller's own state is the object (a made-up match id is NOT_FOUND, after authorization)
  "random.start": fixture("none", () => ({ deviceId: `matrix-device-${randomUUID()}`, preferences: { region: "europe", language: "en" } })),
  "random.next": fixture("none", () => ({})),
  "random.stop": none,
  "random.events": none,
  "random.signal": fixture("none", () => ({ matchId: randomUUID(), signal: { candidate: { candidate: "", sdpMid: "0", sdpMLineIndex: 0 } } })),
  "random.send": fixture("none", () => ({ matchId: randomUUID(), text: "hello from the matrix" })),
  "random.iceServers": fixture("none", () => ({ matchId: randomUUID() })),
  "random.react": fixture("none", () => ({ matchId: randomUUID(), emoji: "👋" })),
};

/** Whether a guest can be the member of the object `path` acts on (the matrix's "guest member" caller). */
export const guestCanBeMember = (path: string): boolean => fixtures[path] !== undefined && GUEST_MEMBER_KINDS.has(fixtures[path].guestMemberObject ?? fixtures[path].object);

/** Why a procedure cannot be tested: no access rule, or no fixture (with what to add and where). */
export function missingFixtureMessage(path: string): string {
  return `${path} has no fixture: add an entry "${path}": fixture(<object kind>, (object, as) => <valid input>) to packages/api/src/authorization/fixtures.ts`;
}
