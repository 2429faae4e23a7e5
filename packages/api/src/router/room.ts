// Meetings over the realtime socket: join, the meeting's event stream, leave, P2P signaling, and the host's powers.
import { issueIceServers } from "../services/turnCredentials.ts";
import { createTRPCRouter, guestOrUserProcedure, rateLimit, configuredRateLimit, access, tokenScope } from "../trpc.ts";
import { meetingCodeLookups } from "./meeting/lookups.ts";
import { meetingCall, meetingCaller, meetingCommand } from "./room/caller.ts";
import { meetingEventsHandler } from "./room/events.handler.ts";
import { eventsSchema, joinSchema, meshThresholdSchema, micMutedSchema, peerRef, playbackAllowedSchema, playbackSchema, signalSchema, targetSchema } from "./room/room.schema.ts";

const turnLimit = rateLimit({ scope: "turn:user", capacity: 30, windowMs: 3_600_000 }, "TURN credential requests");
const signalLimit = configuredRateLimit("RATE_LIMIT_SIGNALS_PER_10S", { scope: "signal:user", windowMs: 10_000 }, "signals");

export const roomRouter = createTRPCRouter({
  join: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(tokenScope("meetings:join"))
    .meta(meetingCodeLookups)
    .input(joinSchema)
    .mutation(meetingCall((meetings, caller, input) => meetings.join(input.code, caller))),
  events: guestOrUserProcedure.meta(access("guest or user", "meeting participant")).meta(tokenScope("meetings:join")).input(eventsSchema).subscription(meetingEventsHandler),
  leave: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(tokenScope("meetings:join"))
    .input(peerRef)
    .mutation(meetingCommand((meetings, caller, input) => meetings.leave(input.meetingId, input.peerId, caller))),

  /** Fresh ICE servers (time-limited TURN credentials) for the caller's connections, refreshed before they expire. */
  iceServers: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(tokenScope("meetings:join"))
    .meta(turnLimit)
    .input(peerRef)
    .query(async ({ ctx, input }) => {
      const { meetings, caller } = meetingCaller(ctx);
      // only a participant gets credentials (a refused caller counts nothing against the quota)
      await meetings.check(input.meetingId, input.peerId, caller);
      return issueIceServers(ctx.redis, caller.user.id);
    }),

  /** After a `media.lost` event: the new router's capabilities and who is here, to rebuild transports. */
  reconnectMedia: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(tokenScope("meetings:join"))
    .input(peerRef)
    .mutation(meetingCall((meetings, caller, input) => meetings.reconnectMedia(input.meetingId, input.peerId, caller))),

  /** P2P negotiation (perfect negotiation: offers, answers, ICE candidates) relayed to one participant. */
  signal: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(tokenScope("meetings:join"))
    .meta(signalLimit)
    .input(signalSchema)
    .mutation(meetingCommand((meetings, caller, input) => meetings.signal(input.meetingId, input.peerId, caller, input.targetPeerId, input.signal))),

  /**
   * "Listen together": share a media URL and keep play/pause/seek in sync for everyone. The host's, until the host
   * lets every participant share and control (setPlaybackAllowed): the rule states the default.
   */
  playback: guestOrUserProcedure
    .meta(access("guest or user", "meeting host"))
    .input(playbackSchema)
    .mutation(
      meetingCall((meetings, caller, input) => meetings.playback(input.meetingId, input.peerId, caller, { url: input.url, playing: input.playing, position: input.position })),
    ),

  /** The host lets everyone share and control "Listen together", or takes it back. */
  setPlaybackAllowed: guestOrUserProcedure
    .meta(access("guest or user", "meeting host"))
    .input(playbackAllowedSchema)
    .mutation(meetingCommand((meetings, caller, input) => meetings.setPlaybackAllowed(input.meetingId, input.peerId, caller, input.allowed))),

  /** The host sets how many participants the meeting keeps as a P2P mesh before switching to the SFU. */
  setMeshThreshold: guestOrUserProcedure
    .meta(access("guest or user", "meeting host"))
    .input(meshThresholdSchema)
    .mutation(meetingCommand((meetings, caller, input) => meetings.setMeshThreshold(input.meetingId, input.peerId, caller, input.meshThreshold))),
  muteParticipant: guestOrUserProcedure
    .meta(access("guest or user", "meeting host"))
    .input(targetSchema)
    .mutation(meetingCommand((meetings, caller, input) => meetings.mute(input.meetingId, input.peerId, caller, input.targetPeerId))),
  /** The caller muted or unmuted their own microphone (the participant lists show it; the SFU path also pauses). */
  setMicMuted: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .input(micMutedSchema)
    .mutation(meetingCommand((meetings, caller, input) => meetings.setMicMuted(input.meetingId, input.peerId, caller, input.muted))),
  removeParticipant: guestOrUserProcedure
    .meta(access("guest or user", "meeting host"))
    .input(targetSchema)
    .mutation(meetingCommand((meetings, caller, input) => meetings.remove(input.meetingId, input.peerId, caller, input.targetPeerId))),
  end: guestOrUserProcedure
    .meta(access("guest or user", "meeting host"))
    .input(peerRef)
    .mutation(meetingCommand((meetings, caller, input) => meetings.end(input.meetingId, input.peerId, caller))),
});
