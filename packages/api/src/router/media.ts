// WebRTC signaling for the SFU: a participant's transports, producers and consumers. Every call names the
// participant (meetingId, peerId) and runs on the meeting's media owner node, which refuses it unless that
// participant is the caller's, on this socket. Results are typed by the operation (MediaOperations).
import type { mediasoupTypes } from "@qualmeet/media";
import type { MediaArgs, MediaOperation, MediaResult } from "../meeting/commands.ts";
import { createTRPCRouter, guestOrUserProcedure, type Context, type SessionUser, access } from "../trpc.ts";
import {
  connectTransportSchema,
  consumeSchema,
  consumerRef,
  createTransportSchema,
  preferredLayersSchema,
  producerRef,
  produceSchema,
  restartIceSchema,
} from "./media/media.schema.ts";
import { consumeLimit, consumerLimit, producerLimit, transportLimit } from "./media/media.limits.ts";
import { meetingCaller } from "./room/caller.ts";
import { peerRef } from "./room/room.schema.ts";

/** Runs one SFU operation for the calling participant on the meeting's media owner. */
function runMedia<K extends MediaOperation>(
  ctx: Context & { user: SessionUser },
  ref: { meetingId: string; peerId: string },
  operation: K,
  args: MediaArgs<K>,
): Promise<MediaResult<K>> {
  const { meetings, caller } = meetingCaller(ctx);
  return meetings.media(ref.meetingId, ref.peerId, caller, operation, args);
}

// zod bounds the WebRTC parameters' size and shape; mediasoup validates them in depth
const dtls = (input: { dtlsParameters: unknown }) => input.dtlsParameters as mediasoupTypes.DtlsParameters;
const rtp = (input: { rtpParameters: unknown }) => input.rtpParameters as mediasoupTypes.RtpParameters;
const capabilities = (input: { rtpCapabilities: unknown }) => input.rtpCapabilities as mediasoupTypes.RtpCapabilities;

export const mediaRouter = createTRPCRouter({
  createTransport: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(transportLimit)
    .input(createTransportSchema)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "createTransport", { direction: input.direction })),
  connectTransport: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(transportLimit)
    .input(connectTransportSchema)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "connectTransport", { transportId: input.transportId, dtlsParameters: dtls(input) })),
  produce: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(producerLimit)
    .input(produceSchema)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "produce", { transportId: input.transportId, kind: input.kind, rtpParameters: rtp(input), source: input.source })),
  consume: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(consumeLimit)
    .input(consumeSchema)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "consume", { transportId: input.transportId, producerId: input.producerId, rtpCapabilities: capabilities(input) })),
  resumeConsumer: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(consumerLimit)
    .input(consumerRef)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "resumeConsumer", { consumerId: input.consumerId })),
  /** Off-screen tiles are paused so the SFU only sends what is shown. */
  pauseConsumer: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(consumerLimit)
    .input(consumerRef)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "pauseConsumer", { consumerId: input.consumerId })),
  setPreferredLayers: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(consumerLimit)
    .input(preferredLayersSchema)
    .mutation(({ ctx, input }) =>
      runMedia(ctx, input, "setPreferredLayers", { consumerId: input.consumerId, spatialLayer: input.spatialLayer, temporalLayer: input.temporalLayer }),
    ),
  pauseProducer: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(producerLimit)
    .input(producerRef)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "pauseProducer", { producerId: input.producerId })),
  resumeProducer: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(producerLimit)
    .input(producerRef)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "resumeProducer", { producerId: input.producerId })),
  closeProducer: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(producerLimit)
    .input(producerRef)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "closeProducer", { producerId: input.producerId })),
  /** Back on the P2P mesh: the caller's transports (with their producers and consumers) are closed on the SFU. */
  closeTransports: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(transportLimit)
    .input(peerRef)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "closeTransports", {})),
  restartIce: guestOrUserProcedure
    .meta(access("guest or user", "meeting participant"))
    .meta(transportLimit)
    .input(restartIceSchema)
    .mutation(({ ctx, input }) => runMedia(ctx, input, "restartIce", { transportId: input.transportId })),
});
