// The objects procedures act on (a meeting, a live meeting with its host and a participant, a group, a message,
// a DM, a ringing call), built through the real servers by the parties of a test: a host and a member, each an
// account with its own realtime socket (a participant belongs to the socket it joined on).
import { randomUUID } from "node:crypto";
import type { CallOutcome, HttpCaller, SocketCaller } from "./wire.ts";

export interface Party {
  id: string;
  name: string;
  cookie: string;
  http: HttpCaller;
  socket: SocketCaller;
}

/** Who builds an object: `host` owns it, `member` has the weaker relation, `bystander` is an account with none. */
export interface Cast {
  host: Party;
  member: Party;
  bystanderId: string;
}

/** The result of a call that must succeed while building an object; a refusal stops the test, saying which. */
function built<T>(what: string, outcome: CallOutcome): T {
  if (!outcome.ok) throw new Error(`building the fixture's object failed at ${what}: ${outcome.code} ${outcome.message}`);
  return outcome.data as T;
}

async function meeting(cast: Cast) {
  const made = built<{ id: string; code: string }>(
    "meeting.create",
    await cast.host.http.call("mutation", "meeting.create", { title: "Authorization matrix", maxParticipants: 10 }),
  );
  return { meetingId: made.id, code: made.code, hostId: cast.host.id, memberId: cast.member.id, bystanderId: cast.bystanderId };
}

async function liveMeeting(cast: Cast) {
  const made = await meeting(cast);
  const join = async (party: Party) => built<{ self: { peerId: string } }>("room.join", await party.socket.call("mutation", "room.join", { code: made.code })).self.peerId;
  const hostPeerId = await join(cast.host);
  const memberPeerId = await join(cast.member);
  return { ...made, hostPeerId, memberPeerId };
}

async function group(cast: Cast) {
  const made = built<{ id: string }>("chat.createGroup", await cast.host.http.call("mutation", "chat.createGroup", { title: "Matrix group", memberIds: [cast.member.id] }));
  return { conversationId: made.id, hostId: cast.host.id, memberId: cast.member.id, bystanderId: cast.bystanderId };
}

async function groupMessage(cast: Cast) {
  const made = await group(cast);
  const message = built<{ id: string }>(
    "chat.send",
    await cast.host.socket.call("mutation", "chat.send", { conversationId: made.conversationId, clientId: randomUUID(), body: "a message from the host" }),
  );
  return { ...made, messageId: message.id };
}

/** A meeting's chat: the host and the member joined the meeting and opened its chat; the host wrote in it. */
async function meetingChat(cast: Cast) {
  const made = await liveMeeting(cast);
  const open = async (party: Party) =>
    built<{ id: string }>("chat.meetingConversation", await party.socket.call("mutation", "chat.meetingConversation", { meetingId: made.meetingId })).id;
  const conversationId = await open(cast.host);
  await open(cast.member);
  const message = built<{ id: string }>(
    "chat.send",
    await cast.host.socket.call("mutation", "chat.send", { conversationId, clientId: randomUUID(), body: "a message from the host" }),
  );
  return { ...made, conversationId, messageId: message.id };
}

async function direct(cast: Cast) {
  const made = built<{ id: string }>("chat.createDirect", await cast.host.http.call("mutation", "chat.createDirect", { userId: cast.member.id }));
  return { conversationId: made.id, hostId: cast.host.id, memberId: cast.member.id };
}

/** A DM's call ringing; `from` places it (the host is the callee when the member calls). */
async function call(cast: Cast, from: "host" | "member") {
  const made = await direct(cast);
  const started = built<{ id: string }>("calls.start", await cast[from].socket.call("mutation", "calls.start", { conversationId: made.conversationId, kind: "AUDIO" }));
  return { ...made, callId: started.id };
}

/** A group the member made with the host, which the host left and the member added them back to: the host is invited. */
async function invitation(cast: Cast) {
  const made = built<{ id: string }>("chat.createGroup", await cast.member.http.call("mutation", "chat.createGroup", { title: "Matrix invitation", memberIds: [cast.host.id] }));
  built("chat.removeMember", await cast.host.http.call("mutation", "chat.removeMember", { conversationId: made.id, userId: cast.host.id }));
  built("chat.addMembers", await cast.member.http.call("mutation", "chat.addMembers", { conversationId: made.id, userIds: [cast.host.id] }));
  return { conversationId: made.id, hostId: cast.host.id, memberId: cast.member.id };
}

/** Object kinds a fixture names; each builds a fresh one for every call of the matrix. */
export const objectBuilders = {
  /** nothing beyond the cast: ids of accounts (`hostId`, `memberId`, `bystanderId`) */
  none: async (cast: Cast) => ({ hostId: cast.host.id, memberId: cast.member.id, bystanderId: cast.bystanderId }),
  /** a meeting the host created (nobody in it) */
  meeting,
  /** a meeting with its host and the member joined, each on their own socket */
  liveMeeting,
  /** a group: the host is its admin, the member a member */
  group,
  /** a group with a message the host sent */
  groupMessage,
  /** a meeting's chat with a message the host sent: the member may be a guest */
  meetingChat,
  /** a DM between the host and the member */
  direct,
  /** a DM's call the member placed: the host is the callee */
  callToHost: (cast: Cast) => call(cast, "member"),
  /** a DM's call the host placed: the member is the callee */
  callFromHost: (cast: Cast) => call(cast, "host"),
  /** the host's invitation back into a group they left (the member invited them) */
  invitation,
};

export type ObjectKind = keyof typeof objectBuilders;

/** Kinds whose member may be a guest (a guest joins a meeting and its chat; groups, DMs and calls are for accounts). */
export const GUEST_MEMBER_KINDS: ReadonlySet<ObjectKind> = new Set(["liveMeeting", "meetingChat"]);
export type ObjectOf<K extends ObjectKind> = Awaited<ReturnType<(typeof objectBuilders)[K]>>;
