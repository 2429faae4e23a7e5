// A participant's SFU operations on the media owner: one typed handler per operation of MediaOperations.
import type { Peer } from "@qualmeet/media";
import { requireBot, rtpTarget } from "./bots.ts";
import type { MediaArgs, MediaOperation, MediaResult } from "./commands.ts";
import type { MeetingEvent } from "./events.ts";
import type { LiveMeeting, Participant } from "./participants.ts";

/** What an operation runs on: the participant's media peer in the live meeting, and the meeting's event log. */
export interface PeerMediaContext {
  live: LiveMeeting;
  peerId: string;
  participant: Participant;
  peer: Peer;
  append(event: MeetingEvent, to?: string): void;
  /** gives the participant a fresh, empty media peer */
  reattach(): void;
}

type Handlers = { [K in MediaOperation]: (ctx: PeerMediaContext, args: MediaArgs<K>) => Promise<MediaResult<K>> };

const ok = { ok: true } as const;

async function setProducerPaused(ctx: PeerMediaContext, producerId: string, paused: boolean) {
  const source = ctx.peer.producers().find((p) => p.producerId === producerId)?.source;
  if (paused) await ctx.peer.pauseProducer(producerId);
  else await ctx.peer.resumeProducer(producerId);
  if (source) ctx.append({ type: paused ? "producer.paused" : "producer.resumed", peerId: ctx.peerId, producerId, source, byHost: false });
  return ok;
}

const handlers: Handlers = {
  createTransport: (ctx, { direction }) => ctx.peer.createWebRtcTransport(direction),
  connectTransport: async (ctx, { transportId, dtlsParameters }) => {
    await ctx.peer.connectTransport(transportId, dtlsParameters);
    return ok;
  },
  produce: async (ctx, { byBot, ...input }) => {
    if (byBot) requireBot(ctx.participant);
    const { producerId } = await ctx.peer.produce(input);
    ctx.append({ type: "producer.new", peerId: ctx.peerId, producer: { producerId, kind: input.kind, source: input.source, paused: false } });
    return { producerId };
  },
  consume: async (ctx, { byBot, ...input }) => {
    if (byBot) requireBot(ctx.participant);
    return ctx.peer.consume(input);
  },
  resumeConsumer: async (ctx, { consumerId, byBot }) => {
    if (byBot) requireBot(ctx.participant);
    await ctx.peer.resumeConsumer(consumerId);
    return ok;
  },
  pauseConsumer: async (ctx, { consumerId }) => {
    await ctx.peer.pauseConsumer(consumerId);
    return ok;
  },
  setPreferredLayers: async (ctx, { consumerId, spatialLayer, temporalLayer }) => {
    await ctx.peer.setPreferredLayers(consumerId, { spatialLayer, temporalLayer });
    return ok;
  },
  pauseProducer: (ctx, { producerId }) => setProducerPaused(ctx, producerId, true),
  resumeProducer: (ctx, { producerId }) => setProducerPaused(ctx, producerId, false),
  closeProducer: async (ctx, { producerId }) => {
    // the peer's "producerclosed" event tells the meeting
    ctx.peer.closeProducer(producerId);
    return ok;
  },
  restartIce: async (ctx, { transportId }) => ({ iceParameters: await ctx.peer.restartIce(transportId) }),
  closeTransports: async (ctx) => {
    // the participant's SFU media goes (a fresh, empty peer stays for later), and the others drop what they
    // consumed of it
    for (const { producerId } of ctx.peer.producers()) ctx.append({ type: "producer.closed", peerId: ctx.peerId, producerId });
    ctx.live.media!.removePeer(ctx.peerId);
    ctx.reattach();
    return ok;
  },
  createPlainTransport: async (ctx, args) => {
    requireBot(ctx.participant);
    if (args.direction === "send") return ctx.peer.createPlainTransport("send", { comedia: true });
    // the target is checked before anything is created: a refused bot holds no port
    const ip = rtpTarget(ctx.participant, args.ip);
    const transport = await ctx.peer.createPlainTransport("recv");
    await ctx.peer.connectPlainTransport(transport.id, { ip, port: args.port });
    return transport;
  },
};

export function runPeerMedia<K extends MediaOperation>(ctx: PeerMediaContext, operation: K, args: MediaArgs<K>): Promise<MediaResult<K>> {
  const handler: Handlers[K] = handlers[operation];
  return handler(ctx, args);
}
