// The media side of a live meeting on its owner: the mediasoup room behind it, the switch between P2P mesh and
// SFU as people come and go, and the rebuild on a healthy worker when the room's worker dies.
import { TRPCError } from "@trpc/server";
import { env } from "@qualmeet/config";
import { Room as MediaRoom, type WorkerPool } from "@qualmeet/media";
import type { MeetingEvent, MeetingTopology } from "./events.ts";
import { hasBot } from "./bots.ts";
import { meshCarries } from "./meshGate.ts";
import { MEDIA_LOST_MESSAGE, MEDIA_UNAVAILABLE } from "./messages.ts";
import type { LiveMeeting, Participant } from "./participants.ts";

/** How long a shrunken meeting stays on the SFU before returning to P2P, so people coming and going don't flap it. */

/** How long a rebuild waits before asking the pool for a worker again. */
const REBUILD_RETRY_MS = 250;

export class MeetingMedia {
  constructor(
    private readonly deps: {
      pool: WorkerPool | null;
      append: (meetingId: string, event: MeetingEvent, to?: string) => void;
      /** whether `live` is still the meeting this node hosts (not closed or handed over) */
      isCurrent: (live: LiveMeeting) => boolean;
      /** records whether the meeting relays P2P signals (meshGate.ts), before its clients hear of a change */
      recordMesh: (live: LiveMeeting) => void;
    },
  ) {}

  async createRoom(meetingId: string): Promise<MediaRoom> {
    if (!this.deps.pool) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: MEDIA_UNAVAILABLE });
    return MediaRoom.create({ pool: this.deps.pool, id: meetingId, maxIncomingBitrate: env.MEDIA_MAX_INCOMING_BITRATE });
  }

  /**
   * P2P mesh while the meeting is small, SFU beyond the threshold. Going up is immediate (the joiner needs it);
   * a meeting without a media server stays P2P while it can and refuses a join it cannot carry.
   */
  async fitTopology(live: LiveMeeting): Promise<void> {
    const count = live.participants.size;
    // a bot sends and receives plain RTP through the media server: it cannot be on a mesh
    const bots = hasBot(live);
    if (live.mode === "SFU" || (count <= live.meshThreshold && !bots)) {
      if (live.mode === "SFU" && count <= live.meshThreshold) this.scheduleReturnToP2P(live);
      return;
    }
    if (live.quietTimer) clearTimeout(live.quietTimer);
    live.quietTimer = null;
    if (!live.media) {
      live.media = await this.createRoom(live.meeting.id).catch(() => null);
      if (!live.media) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: MEDIA_UNAVAILABLE });
      this.watch(live);
      for (const participant of live.participants.values()) if (!live.media.peers.has(participant.peerId)) this.attachPeer(live, participant);
    }
    this.setMode(
      live,
      "SFU",
      bots && count <= live.meshThreshold ? "a bot joined: bots go through the media server" : `${count} participants: more than ${live.meshThreshold} go through the media server`,
    );
  }

  scheduleReturnToP2P(live: LiveMeeting): void {
    if (live.mode !== "SFU" || live.quietTimer || live.participants.size > Math.min(2, live.meshThreshold) || live.participants.size === 0 || hasBot(live)) return;
    live.quietTimer = setTimeout(() => {
      live.quietTimer = null;
      if (this.deps.isCurrent(live) && live.participants.size <= Math.min(2, live.meshThreshold) && !hasBot(live)) {
        this.setMode(live, "P2P", `${live.participants.size} participants: back to a direct connection`);
      }
    }, env.P2P_RETURN_QUIET_MS);
    live.quietTimer.unref();
  }

  setMode(live: LiveMeeting, mode: MeetingTopology, reason: string): void {
    const leavesMesh = meshCarries(live) && !meshCarries({ mode, media: live.media });
    live.mode = mode;
    // the wind-down starts once, when the media leaves the mesh (not again at each change of the threshold)
    if (leavesMesh || meshCarries(live)) this.deps.recordMesh(live);
    this.deps.append(live.meeting.id, { type: "mode.changed", mode, meshThreshold: live.meshThreshold, reason });
  }

  /** The media room's speaker and level events go to the meeting; a dead worker starts a rebuild. */
  watch(live: LiveMeeting): void {
    const media = live.media;
    if (!media) return;
    media.on("activespeaker", (peerId: string | null) => this.deps.append(live.meeting.id, { type: "activeSpeaker", peerId }));
    media.on("audiolevels", (levels: Array<{ peerId: string; volume: number }>) => this.deps.append(live.meeting.id, { type: "audioLevels", levels }));
    media.on("workerdied", () => {
      if (live.media === media) live.rebuilding = this.rebuild(live);
    });
  }

  /** A new media room on a healthy worker, the same participants, and clients told to reconnect. */
  private async rebuild(live: LiveMeeting): Promise<void> {
    try {
      for (;;) {
        try {
          live.media = await this.createRoom(live.meeting.id);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, REBUILD_RETRY_MS));
        }
      }
      this.watch(live);
      for (const participant of live.participants.values()) this.attachPeer(live, participant);
      this.deps.append(live.meeting.id, { type: "media.lost", message: MEDIA_LOST_MESSAGE });
    } finally {
      live.rebuilding = null;
    }
  }

  /** The participant's peer in the media room; what happens to its consumers and producers goes to the meeting. */
  attachPeer(live: LiveMeeting, participant: Participant): void {
    const meetingId = live.meeting.id;
    const to = participant.peerId;
    const append = this.deps.append;
    const peer = live.media!.addPeer(participant.peerId);
    peer.on("consumerclosed", (consumerId: string) => append(meetingId, { type: "consumer.closed", consumerId }, to));
    peer.on("consumerlayers", (consumerId: string, layers: { spatialLayer: number; temporalLayer?: number } | null) =>
      append(meetingId, { type: "consumer.layers", consumerId, spatialLayer: layers?.spatialLayer ?? null, temporalLayer: layers?.temporalLayer ?? null }, to),
    );
    peer.on("consumerscore", (consumerId: string, producerPeerId: string, score: number) => append(meetingId, { type: "consumer.score", consumerId, producerPeerId, score }, to));
    peer.on("producerclosed", (producerId: string) => append(meetingId, { type: "producer.closed", peerId: to, producerId }));
  }
}
