// Meeting rooms over the realtime socket: join, the room's event stream, chat, leave, and the host's powers.
import { tracked } from "@trpc/server";
import { z } from "zod";
import { serverEnv } from "../env.ts";
import { meetingCode } from "../schemas.ts";
import type { RoomEventTest } from "../services/roomEventLog.ts";
import type { RoomEvent } from "../services/roomEvents.ts";
import { turnCredentials } from "../services/turnCredentials.ts";
import { createTRPCRouter, guestOrUserProcedure, rateLimit, realtimeServices, type Context, type SessionUser } from "../trpc.ts";
import { peerRef } from "./media/media.schema.ts";

const targetSchema = peerRef.extend({ targetPeerId: z.string().uuid("targetPeerId must be a UUID") });

/** An SDP is printable text that starts with its version line; anything else is refused before it is relayed. */
const sdpSchema = z
  .string()
  .max(200_000, "SDP is at most 200 kB")
  .regex(/^v=0\r?\n/, "An SDP starts with v=0.")
  .regex(/^[\x20-\x7e\r\n\t]*$/, "An SDP is printable ASCII.");

/** The room service of this node and who is calling (the user on this socket). */
function caller(ctx: Context & { user: SessionUser }) {
  const rt = realtimeServices(ctx);
  return { rooms: rt.rooms, roomEvents: rt.roomEvents, caller: { user: ctx.user, connection: { connectionId: rt.connectionId, nodeId: rt.nodeId } } };
}

export const roomRouter = createTRPCRouter({
  join: guestOrUserProcedure.input(z.object({ code: meetingCode })).mutation(({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    return rooms.join(input.code, who);
  }),

  /** Everything that happens in the room, resumable: a reconnecting client passes the last id it saw. */
  events: guestOrUserProcedure
    .input(peerRef.extend({ lastEventId: z.string().regex(/^\d+-\d+$/, "lastEventId must be a stream id").nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const { rooms, roomEvents, caller: who } = caller(ctx);
      await rooms.check(input.meetingId, input.peerId, who);
      const from = input.lastEventId ?? (await roomEvents.lastId(input.meetingId));
      // whoever leaves, is removed or sees the meeting end stops receiving the room (after being told why)
      const until: RoomEventTest = (type, source) =>
        type === "removed" || type === "meeting.ended" || (type === "peer.left" && (source.event as Extract<RoomEvent, { type: "peer.left" }>).peerId === input.peerId);
      // live events go straight to the socket when the transport can take them (serialized once per node)
      for await (const { id, event } of roomEvents.events(input.meetingId, input.peerId, from, signal, { sink: realtimeServices(ctx).eventSink, until })) {
        yield tracked(id, event);
      }
    }),

  chat: guestOrUserProcedure
    .meta(rateLimit({ scope: "chat:user", capacity: serverEnv.rateLimits.chatPer10Seconds, windowMs: 10_000 }, "messages"))
    .input(peerRef.extend({ text: z.string().trim().min(1, "Write a message first.").max(2000, "Messages are at most 2,000 characters.") }))
    .mutation(({ ctx, input }) => {
      const { rooms, caller: who } = caller(ctx);
      return rooms.chat(input.meetingId, input.peerId, who, input.text);
    }),

  leave: guestOrUserProcedure.input(peerRef).mutation(async ({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    await rooms.leave(input.meetingId, input.peerId, who);
    return { ok: true as const };
  }),

  /** Fresh ICE servers (time-limited TURN credentials) for the caller's connections, refreshed before they expire. */
  iceServers: guestOrUserProcedure
    .meta(rateLimit({ scope: "turn:user", capacity: 30, windowMs: 3_600_000 }, "TURN credential requests"))
    .input(peerRef)
    .query(async ({ ctx, input }) => {
      const { rooms, caller: who } = caller(ctx);
      await rooms.check(input.meetingId, input.peerId, who);
      return turnCredentials(ctx.user.id);
    }),

  /** After a `media.lost` event: the new router's capabilities and who is here, to rebuild transports. */
  reconnectMedia: guestOrUserProcedure.input(peerRef).mutation(({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    return rooms.reconnectMedia(input.meetingId, input.peerId, who);
  }),

  /** P2P negotiation (perfect negotiation: offers, answers, ICE candidates) relayed to one participant. */
  signal: guestOrUserProcedure
    .meta(rateLimit({ scope: "signal:user", capacity: serverEnv.rateLimits.signalsPer10Seconds, windowMs: 10_000 }, "signals"))
    .input(
      targetSchema.extend({
        signal: z
          .object({
            description: z.object({ type: z.enum(["offer", "answer", "pranswer", "rollback"]), sdp: sdpSchema.optional() }).optional(),
            candidate: z
              .object({
                candidate: z.string().max(2000),
                sdpMid: z.string().max(64).nullish(),
                sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
                usernameFragment: z.string().max(256).nullish(),
              })
              .nullish(),
          })
          .refine((s) => s.description !== undefined || s.candidate !== undefined, "A signal carries a description or a candidate."),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { rooms, caller: who } = caller(ctx);
      await rooms.signal(input.meetingId, input.peerId, who, input.targetPeerId, input.signal);
      return { ok: true as const };
    }),

  /** "Listen together": share a media URL and keep play/pause/seek in sync for everyone. */
  playback: guestOrUserProcedure
    .input(
      peerRef.extend({
        url: z
          .string()
          .max(2048)
          .url("Enter a valid link.")
          .refine((u) => /^https?:\/\//i.test(u), "Only http(s) links can be shared.")
          .nullable(),
        playing: z.boolean(),
        position: z.number().min(0).max(24 * 3600),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { rooms, caller: who } = caller(ctx);
      return rooms.playback(input.meetingId, input.peerId, who, { url: input.url, playing: input.playing, position: input.position });
    }),

  /** The host sets how many participants the meeting keeps as a P2P mesh before switching to the SFU. */
  setMeshThreshold: guestOrUserProcedure.input(peerRef.extend({ meshThreshold: z.number().int().min(0).max(8) })).mutation(async ({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    await rooms.setMeshThreshold(input.meetingId, input.peerId, who, input.meshThreshold);
    return { ok: true as const };
  }),

  muteParticipant: guestOrUserProcedure.input(targetSchema).mutation(async ({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    await rooms.mute(input.meetingId, input.peerId, who, input.targetPeerId);
    return { ok: true as const };
  }),

  /** The caller muted or unmuted their own microphone (the participant lists show it; the SFU path also pauses). */
  setMicMuted: guestOrUserProcedure.input(peerRef.extend({ muted: z.boolean() })).mutation(async ({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    await rooms.setMicMuted(input.meetingId, input.peerId, who, input.muted);
    return { ok: true as const };
  }),

  removeParticipant: guestOrUserProcedure.input(targetSchema).mutation(async ({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    await rooms.remove(input.meetingId, input.peerId, who, input.targetPeerId);
    return { ok: true as const };
  }),

  end: guestOrUserProcedure.input(peerRef).mutation(async ({ ctx, input }) => {
    const { rooms, caller: who } = caller(ctx);
    await rooms.end(input.meetingId, input.peerId, who);
    return { ok: true as const };
  }),
});
