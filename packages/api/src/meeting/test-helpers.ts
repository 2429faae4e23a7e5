// Live meetings for unit tests of the meeting rules (no servers, no media).
import type { LiveMeeting, Participant } from "./participants.ts";

/** `botOwners`: users whose bot is in the meeting too */
export function meetingWith(userIds: string[], botOwners: string[] = []): LiveMeeting {
  const participants = new Map<string, Participant>(
    [...userIds.map((userId) => ({ userId, isBot: false })), ...botOwners.map((userId) => ({ userId, isBot: true }))].map(({ userId, isBot }, i) => {
      const peerId = `peer-${i}`;
      const participant: Participant = {
        peerId,
        userId,
        displayName: userId,
        isHost: false,
        isGuest: false,
        isBot,
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
