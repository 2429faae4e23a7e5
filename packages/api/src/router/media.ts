// WebRTC signaling for the SFU: a participant's transports, producers and consumers. Every call names the
// participant (meetingId, peerId) and runs on the meeting's media owner node, which refuses it unless that
// participant is the caller's, on this socket.
import type { mediasoupTypes } from "@qualmeet/media";
import type { MediaOp } from "../services/meetingRooms.ts";
import { createTRPCRouter, guestOrUserProcedure, realtimeServices, type Context, type SessionUser } from "../trpc.ts";
import {
  connectTransportSchema,
  consumeSchema,
  consumerRef,
  createTransportSchema,
  peerRef,
  preferredLayersSchema,
  producerRef,
  produceSchema,
  restartIceSchema,
} from "./media/media.schema.ts";

/** Runs one media operation for the calling participant. */
export function runMedia<T>(ctx: Context & { user: SessionUser }, ref: { meetingId: string; peerId: string }, op: MediaOp): Promise<T> {
  const rt = realtimeServices(ctx);
  return rt.rooms.media(ref.meetingId, ref.peerId, { user: ctx.user, connection: { connectionId: rt.connectionId, nodeId: rt.nodeId } }, op) as Promise<T>;
}

type TransportOptions = { id: string; iceParameters: mediasoupTypes.IceParameters; iceCandidates: mediasoupTypes.IceCandidate[]; dtlsParameters: mediasoupTypes.DtlsParameters };
type ConsumeResult = {
  consumerId: string;
  producerId: string;
  kind: "audio" | "video";
  rtpParameters: mediasoupTypes.RtpParameters;
  type: string;
  producerPaused: boolean;
  producerPeerId: string;
  source: "mic" | "camera" | "screen";
};
type Ok = { ok: true };

export const mediaRouter = createTRPCRouter({
  createTransport: guestOrUserProcedure.input(createTransportSchema).mutation(({ ctx, input }) => runMedia<TransportOptions>(ctx, input, { op: "createTransport", direction: input.direction })),
  connectTransport: guestOrUserProcedure
    .input(connectTransportSchema)
    .mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "connectTransport", transportId: input.transportId, dtlsParameters: input.dtlsParameters as mediasoupTypes.DtlsParameters })),
  produce: guestOrUserProcedure.input(produceSchema).mutation(({ ctx, input }) =>
    runMedia<{ producerId: string }>(ctx, input, {
      op: "produce",
      transportId: input.transportId,
      kind: input.kind,
      rtpParameters: input.rtpParameters as unknown as mediasoupTypes.RtpParameters,
      source: input.source,
    }),
  ),
  consume: guestOrUserProcedure
    .input(consumeSchema)
    .mutation(({ ctx, input }) =>
      runMedia<ConsumeResult>(ctx, input, { op: "consume", transportId: input.transportId, producerId: input.producerId, rtpCapabilities: input.rtpCapabilities as mediasoupTypes.RtpCapabilities }),
    ),
  resumeConsumer: guestOrUserProcedure.input(consumerRef).mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "resumeConsumer", consumerId: input.consumerId })),
  /** Off-screen tiles are paused so the SFU only sends what is shown. */
  pauseConsumer: guestOrUserProcedure.input(consumerRef).mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "pauseConsumer", consumerId: input.consumerId })),
  setPreferredLayers: guestOrUserProcedure
    .input(preferredLayersSchema)
    .mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "setPreferredLayers", consumerId: input.consumerId, spatialLayer: input.spatialLayer, temporalLayer: input.temporalLayer })),
  pauseProducer: guestOrUserProcedure.input(producerRef).mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "pauseProducer", producerId: input.producerId })),
  resumeProducer: guestOrUserProcedure.input(producerRef).mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "resumeProducer", producerId: input.producerId })),
  closeProducer: guestOrUserProcedure.input(producerRef).mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "closeProducer", producerId: input.producerId })),
  /** Back on the P2P mesh: the caller's transports (with their producers and consumers) are closed on the SFU. */
  closeTransports: guestOrUserProcedure.input(peerRef).mutation(({ ctx, input }) => runMedia<Ok>(ctx, input, { op: "closeTransports" })),
  restartIce: guestOrUserProcedure
    .input(restartIceSchema)
    .mutation(({ ctx, input }) => runMedia<{ iceParameters: mediasoupTypes.IceParameters }>(ctx, input, { op: "restartIce", transportId: input.transportId })),
});
