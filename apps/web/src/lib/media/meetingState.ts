// Room events every engine handles the same way (who is here, what they publish, chat, the end of the
// meeting): they only update the stores. Media-specific events (consume, layers, media.lost) stay in the engine.
import type { MeetingEvent } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";

export const HOST_MUTED_YOU = "The host muted you";
export const MEETING_ENDED = "The host ended the meeting";
export const REMOVED = "You were removed from the meeting";

/** Applies a room event to the stores. */
export function applyMeetingEvent(event: MeetingEvent): void {
  const meeting = useMeetingStore.getState();
  const self = meeting.selfPeerId;
  switch (event.type) {
    case "peer.joined":
      meeting.upsertPeer(event.peer);
      break;
    case "peer.left":
      if (event.peerId !== self) meeting.removePeer(event.peerId);
      break;
    case "producer.new":
      meeting.addProducer(event.peerId, event.producer);
      break;
    case "producer.closed":
      meeting.removeProducer(event.peerId, event.producerId);
      break;
    case "producer.paused":
    case "producer.resumed": {
      const paused = event.type === "producer.paused";
      meeting.setProducerPaused(event.peerId, event.producerId, paused);
      if (event.peerId === self && event.source === "mic") {
        meeting.setLocal({ micMuted: paused });
        if (paused && event.byHost) meeting.notify(HOST_MUTED_YOU);
      }
      break;
    }
    case "peer.mic":
      meeting.setPeerMicMuted(event.peerId, event.muted);
      break;
    case "activeSpeaker":
      meeting.setActiveSpeaker(event.peerId);
      break;
    case "audioLevels":
      meeting.setLevels(event.levels);
      break;
    case "meeting.ended":
      meeting.setPhase("ended", MEETING_ENDED);
      break;
    case "removed":
      meeting.setPhase("removed", REMOVED);
      break;
    case "consumer.score":
      meeting.setScore(event.consumerId, event.producerPeerId, event.score);
      break;
    default:
      break;
  }
}
