import { expect, test } from "vitest";
import { beyondUserLimit, type LiveMeeting, type Participant } from "./participants.ts";

function meetingWith(userIds: string[]): LiveMeeting {
  const participants = new Map<string, Participant>(
    userIds.map((userId, i) => {
      const peerId = `peer-${i}`;
      const participant: Participant = {
        peerId,
        userId,
        displayName: userId,
        isHost: false,
        isGuest: false,
        connectionId: `socket-${i}`,
        nodeId: "node",
        ip: "192.0.2.1",
        participationId: `p-${i}`,
        micMuted: false,
        joinedAfterId: null,
        graceTimer: null,
      };
      return [peerId, participant];
    }),
  );
  return {
    meeting: { id: "m", code: "abcdefgh", title: "Standup", hostId: "host", maxParticipants: 100, mode: "SFU", p2pMaxParticipants: 4 },
    media: null,
    mode: "SFU",
    meshThreshold: 4,
    quietTimer: null,
    playback: null,
    playbackAllowed: false,
    participants,
    rebuilding: null,
    stopWatchingEvents: () => {},
  };
}

test("a user in the meeting from fewer tabs than the limit may join from another", () => {
  expect(beyondUserLimit(meetingWith(["alice", "alice", "bob"]), "alice", 3)).toBeNull();
});

test("a user at the limit is refused with the limit in the message; another user is still let in", () => {
  const live = meetingWith(["alice", "alice", "alice", "bob"]);
  expect(beyondUserLimit(live, "alice", 3)).toEqual(
    expect.objectContaining({
      code: "PRECONDITION_FAILED",
      message: "You are already in this meeting from 3 tabs or devices, the most one person may use (limit 3). Leave it in one of them to join here.",
    }),
  );
  expect(beyondUserLimit(live, "bob", 3)).toBeNull();
  expect(beyondUserLimit(live, "carol", 3)).toBeNull();
});
