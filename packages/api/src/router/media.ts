// WebRTC signaling for the SFU: a participant's transports, producers and consumers. Every call names the
// participant (meetingId, peerId) and is refused unless that participant is the caller's, on this socket.
import type { mediasoupTypes } from "@qualmeet/media";
import { createTRPCRouter, guestOrUserProcedure, realtimeServices } from "../trpc.ts";
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

export const mediaRouter = createTRPCRouter({
  createTransport: guestOrUserProcedure.input(createTransportSchema).mutation(({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    return rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) => peer.createWebRtcTransport(input.direction));
  }),

  connectTransport: guestOrUserProcedure.input(connectTransportSchema).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) =>
      peer.connectTransport(input.transportId, input.dtlsParameters as mediasoupTypes.DtlsParameters),
    );
    return { ok: true as const };
  }),

  produce: guestOrUserProcedure.input(produceSchema).mutation(({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    return rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, async (peer) => {
      const { producerId } = await peer.produce({
        transportId: input.transportId,
        kind: input.kind,
        rtpParameters: input.rtpParameters as unknown as mediasoupTypes.RtpParameters,
        source: input.source,
      });
      rt.rooms.newProducerEvent(input.meetingId, input.peerId, { producerId, kind: input.kind, source: input.source, paused: false });
      return { producerId };
    });
  }),

  consume: guestOrUserProcedure.input(consumeSchema).mutation(({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    return rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) =>
      peer.consume({ transportId: input.transportId, producerId: input.producerId, rtpCapabilities: input.rtpCapabilities as mediasoupTypes.RtpCapabilities }),
    );
  }),

  resumeConsumer: guestOrUserProcedure.input(consumerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) => peer.resumeConsumer(input.consumerId));
    return { ok: true as const };
  }),

  /** Off-screen tiles are paused so the SFU only sends what is shown. */
  pauseConsumer: guestOrUserProcedure.input(consumerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) => peer.pauseConsumer(input.consumerId));
    return { ok: true as const };
  }),

  setPreferredLayers: guestOrUserProcedure.input(preferredLayersSchema).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) =>
      peer.setPreferredLayers(input.consumerId, { spatialLayer: input.spatialLayer, temporalLayer: input.temporalLayer }),
    );
    return { ok: true as const };
  }),

  pauseProducer: guestOrUserProcedure.input(producerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, async (peer) => {
      const producer = ownProducer(peer.producers(), input.producerId);
      await peer.pauseProducer(input.producerId);
      if (producer) rt.rooms.producerEvent(input.meetingId, input.peerId, input.producerId, producer.source, true, false);
    });
    return { ok: true as const };
  }),

  resumeProducer: guestOrUserProcedure.input(producerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, async (peer) => {
      const producer = ownProducer(peer.producers(), input.producerId);
      await peer.resumeProducer(input.producerId);
      if (producer) rt.rooms.producerEvent(input.meetingId, input.peerId, input.producerId, producer.source, false, false);
    });
    return { ok: true as const };
  }),

  closeProducer: guestOrUserProcedure.input(producerRef).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    // the peer's "producerclosed" event tells the room
    await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) => peer.closeProducer(input.producerId));
    return { ok: true as const };
  }),

  restartIce: guestOrUserProcedure.input(restartIceSchema).mutation(async ({ ctx, input }) => {
    const rt = realtimeServices(ctx);
    const iceParameters = await rt.rooms.media(input.meetingId, input.peerId, ctx.user, rt.connectionId, (peer) => peer.restartIce(input.transportId));
    return { iceParameters };
  }),
});

const ownProducer = <T extends { producerId: string }>(producers: T[], producerId: string) => producers.find((p) => p.producerId === producerId);
