import type { Meeting } from "@qualmeet/db";

/** What clients see of a meeting. */
export function meetingView(meeting: Meeting & { host: { id: string; name: string } }, viewerId: string) {
  return {
    id: meeting.id,
    code: meeting.code,
    title: meeting.title,
    host: meeting.host,
    isHost: meeting.hostId === viewerId,
    maxParticipants: meeting.maxParticipants,
    mode: meeting.mode,
    p2pMaxParticipants: meeting.p2pMaxParticipants,
    locked: meeting.locked,
    lobbyEnabled: meeting.lobbyEnabled,
    status: meeting.status,
    createdAt: meeting.createdAt,
    endedAt: meeting.endedAt,
  };
}
