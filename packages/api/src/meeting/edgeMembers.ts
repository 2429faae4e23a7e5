// Who this node's sockets are in which meetings, as the meetings' media owners last confirmed it (a join, or
// the check a subscription starts with). A call that only adds an event to the meeting's log (a P2P
// signal) is authorized from here, without a trip to the owner node and back. An entry is forgotten:
//   - when its participant leaves, is removed or the meeting ends: seen on the meeting's event channel, in the same
//     dispatch that hands the event to the participant's own subscription on this node;
//   - when its socket closes;
//   - CONFIRMED_FOR_MS after the owner last confirmed it (the next call asks the owner again), which bounds what
//     a missed event could leave behind (an owner that died without handing over).
import type { ParsedOnDemand } from "./eventLog.ts";
import type { MeetingEvent } from "./events.ts";
import { logFailure } from "@qualmeet/log";

export const CONFIRMED_FOR_MS = 30_000;

export interface EdgeMember {
  meetingId: string;
  peerId: string;
  userId: string;
  displayName: string;
  confirmedAt: number;
}

/**
 * Starts calling `onEvent` with the type of each event of the meeting, the participant it is for (if only
 * one) and the event itself (parsed when read); resolves to the function that stops it.
 */
export type WatchMeeting = (meetingId: string, onEvent: (type: MeetingEvent["type"], to: string | undefined, source: ParsedOnDemand) => void) => Promise<() => void>;

interface WatchedMeeting {
  /** peerId -> the connection it was confirmed on */
  peers: Map<string, string>;
  stop: Promise<() => void>;
}

export class EdgeMembers {
  /** connectionId -> meetingId -> member */
  private readonly byConnection = new Map<string, Map<string, EdgeMember>>();
  private readonly meetings = new Map<string, WatchedMeeting>();

  constructor(
    private readonly watchMeeting: WatchMeeting,
    private readonly now: () => number = Date.now,
  ) {}

  /** The owner said `peerId` is this user's participant in the meeting, on this connection. */
  confirm(connectionId: string, meetingId: string, peerId: string, user: { id: string; name: string }): void {
    let own = this.byConnection.get(connectionId);
    if (!own) this.byConnection.set(connectionId, (own = new Map()));
    const previous = own.get(meetingId);
    if (previous && previous.peerId !== peerId) this.meetings.get(meetingId)?.peers.delete(previous.peerId);
    own.set(meetingId, { meetingId, peerId, userId: user.id, displayName: user.name, confirmedAt: this.now() });
    let watched = this.meetings.get(meetingId);
    if (!watched) {
      const peers = new Map<string, string>();
      watched = { peers, stop: this.watchMeeting(meetingId, (type, to, source) => this.onMeetingEvent(meetingId, type, to, source)) };
      this.meetings.set(meetingId, watched);
      // a meeting whose channel cannot be watched cannot be trusted from here: its calls go to the owner
      watched.stop.catch(() => this.forgetMeeting(meetingId));
    }
    watched.peers.set(peerId, connectionId);
  }

  /** The member this call may act as, or null when the owner has to be asked. */
  get(connectionId: string, meetingId: string, peerId: string, userId: string): EdgeMember | null {
    const member = this.byConnection.get(connectionId)?.get(meetingId);
    if (!member || member.peerId !== peerId || member.userId !== userId) return null;
    if (this.now() - member.confirmedAt > CONFIRMED_FOR_MS) return null;
    return member;
  }

  forgetPeer(meetingId: string, peerId: string): void {
    const watched = this.meetings.get(meetingId);
    const connectionId = watched?.peers.get(peerId);
    if (!watched || connectionId === undefined) return;
    watched.peers.delete(peerId);
    const own = this.byConnection.get(connectionId);
    if (own?.get(meetingId)?.peerId === peerId) {
      own.delete(meetingId);
      if (own.size === 0) this.byConnection.delete(connectionId);
    }
    if (watched.peers.size === 0) this.unwatch(meetingId, watched);
  }

  forgetConnection(connectionId: string): void {
    const own = this.byConnection.get(connectionId);
    if (!own) return;
    for (const member of [...own.values()]) this.forgetPeer(member.meetingId, member.peerId);
    this.byConnection.delete(connectionId);
  }

  /** How many participants are known here (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const own of this.byConnection.values()) n += own.size;
    return n;
  }

  close(): void {
    for (const meetingId of [...this.meetings.keys()]) this.forgetMeeting(meetingId);
  }

  private onMeetingEvent(meetingId: string, type: MeetingEvent["type"], to: string | undefined, source: ParsedOnDemand): void {
    if (type === "peer.left") this.forgetPeer(meetingId, (source.event as Extract<MeetingEvent, { type: "peer.left" }>).peerId);
    // a removed participant is told before everyone hears that they left: from then on they act for nobody
    else if (type === "removed" && to !== undefined) this.forgetPeer(meetingId, to);
    else if (type === "meeting.ended") this.forgetMeeting(meetingId);
  }

  private forgetMeeting(meetingId: string): void {
    const watched = this.meetings.get(meetingId);
    if (!watched) return;
    for (const peerId of [...watched.peers.keys()]) this.forgetPeer(meetingId, peerId);
    // forgetPeer unwatches once the last peer is gone; a meeting with none left is dropped here
    if (this.meetings.get(meetingId) === watched) this.unwatch(meetingId, watched);
  }

  private unwatch(meetingId: string, watched: WatchedMeeting): void {
    this.meetings.delete(meetingId);
    void watched.stop.then((stop) => stop()).catch(logFailure("edge members: a meeting's channel not unsubscribed"));
  }
}
