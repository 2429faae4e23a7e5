// Meeting rooms over the realtime socket: join, the room's event stream, chat, leave, and the host's powers.
import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";
import { serverEnv } from "../env.ts";
import { meetingCode } from "../schemas.ts";
import { appendRoomEvent } from "../services/roomEventLog.ts";
import { createTRPCRouter, guestOrUserProcedure, rateLimit, realtimeServices, type Context, type SessionUser } from "../trpc.ts";
import { peerRef } from "./media/media.schema.ts";

const targetSchema = peerRef.extend({ targetPeerId: z.string().uuid("targetPeerId must be a UUID") });

function hostOnly(ctx: Context & { user: SessionUser }, input: z.infer<typeof peerRef>) {
  const rt = realtimeServices(ctx);
  const found = rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
  if (!found.participant.isHost) throw new TRPCError({ code: "FORBIDDEN", message: "Only the host can do this." });
  return { rt, ...found };
}

export const roomRouter = createTRPCRouter({
  join: guestOrUserProcedure.input(z.object({ code: meetingCode })).mutation(({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    return rt.rooms.join(input.code, ctx.user, rt.connectionId);
  }),

  /** Everything that happens in the room, resumable: a reconnecting client passes the last id it saw. */
  events: guestOrUserProcedure
    .input(peerRef.extend({ lastEventId: z.string().regex(/^\d+-\d+$/, "lastEventId must be a stream id").nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const rt = realtimeServices(ctx);
      rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
      const from = input.lastEventId ?? (await rt.roomEvents.lastId(input.meetingId));
      for await (const { id, event } of rt.roomEvents.events(input.meetingId, input.peerId, from, signal)) {
        // whoever leaves or is removed stops receiving the room at once (after being told why)
        const stillIn = rt.rooms.isParticipant(input.meetingId, input.peerId);
        if (!stillIn && event.type !== "removed" && event.type !== "meeting.ended") return;
        yield tracked(id, event);
        if (!stillIn) return;
      }
    }),

  chat: guestOrUserProcedure
    .use(rateLimit({ scope: "chat:user", capacity: serverEnv.rateLimits.chatPer10Seconds, windowMs: 10_000 }, (ctx) => ctx.session?.userId ?? ctx.ip, "messages"))
    .input(peerRef.extend({ text: z.string().trim().min(1, "Write a message first.").max(2000, "Messages are at most 2,000 characters.") }))
    .mutation(({ ctx, input }) => {
      const rt = realtimeServices(ctx);
      const { live, participant } = rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
      return rt.rooms.chat(live, participant, input.text);
    }),

  leave: guestOrUserProcedure.input(peerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
    await rt.rooms.leave(input.meetingId, input.peerId, "left");
    return { ok: true as const };
  }),

  /** After a `media.lost` event: the new router's capabilities and who is here, to rebuild transports. */
  reconnectMedia: guestOrUserProcedure.input(peerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    const { live } = rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
    return rt.rooms.reconnectMedia(live);
  }),

  /** P2P negotiation (perfect negotiation: offers, answers, ICE candidates) relayed to one participant. */
  signal: guestOrUserProcedure
    .input(
      peerRef.extend({
        targetPeerId: z.string().uuid("targetPeerId must be a UUID"),
        signal: z
          .object({
            description: z.object({ type: z.enum(["offer", "answer", "pranswer", "rollback"]), sdp: z.string().max(200_000, "SDP is at most 200 kB").optional() }).optional(),
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
    .mutation(({ ctx, input }) => {
      const rt = realtimeServices(ctx);
      const { live, participant } = rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
      rt.rooms.signal(live, participant, input.targetPeerId, input.signal);
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
      const rt = realtimeServices(ctx);
      const { live, participant } = rt.rooms.participant(input.meetingId, input.peerId, ctx.user, rt.connectionId);
      return rt.rooms.playback(live, participant, { url: input.url, playing: input.playing, position: input.position });
    }),

  /** The host sets how many participants the meeting keeps as a P2P mesh before switching to the SFU. */
  setMeshThreshold: guestOrUserProcedure.input(peerRef.extend({ meshThreshold: z.number().int().min(0).max(8) })).mutation(async ({ ctx, input }) => {
    const { rt, live } = hostOnly(ctx, input);
    await rt.rooms.setMeshThreshold(live, input.meshThreshold);
    return { ok: true as const };
  }),

  muteParticipant: guestOrUserProcedure.input(targetSchema).mutation(async ({ ctx, input }) => {
    const { rt, live } = hostOnly(ctx, input);
    await rt.rooms.mute(live, input.targetPeerId);
    return { ok: true as const };
  }),

  removeParticipant: guestOrUserProcedure.input(targetSchema).mutation(async ({ ctx, input }) => {
    const { rt, live } = hostOnly(ctx, input);
    if (input.targetPeerId === input.peerId) throw new TRPCError({ code: "BAD_REQUEST", message: "Use Leave to leave the meeting yourself." });
    await rt.rooms.remove(live, input.targetPeerId);
    return { ok: true as const };
  }),

  end: guestOrUserProcedure.input(peerRef).mutation(async ({ ctx, input }) => {
    const { live } = hostOnly(ctx, input);
    await ctx.db.meeting.update({ where: { id: live.meeting.id }, data: { status: "ENDED", endedAt: new Date() } });
    await ctx.db.auditLog.create({ data: { actorId: ctx.user.id, action: "meeting.end", targetType: "meeting", targetId: live.meeting.id, ip: ctx.ip } });
    // every node closes its part of the room when it sees this event
    await appendRoomEvent(ctx.redis, live.meeting.id, { type: "meeting.ended" });
    return { ok: true as const };
  }),
});
