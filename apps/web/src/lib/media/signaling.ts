// The signaling contract the media engines use: the realtime server's `room` and `media` routers over the
// tab's WebSocket. Declared structurally here so the engines stay testable and topology-neutral; the
// compile-time check at the bottom ties it to the real RealtimeRouter.
import type { TRPCClient } from "@trpc/client";
import type { RtpCapabilities, RtpParameters, DtlsParameters, IceCandidate, IceParameters, MediaKind } from "mediasoup-client/types";
import type { MediaSource, PeerInfo, RealtimeRouter, MeetingEvent } from "@qualmeet/api";
import { getRealtimeClient } from "@/lib/realtime";

export type { MediaSource, PeerInfo, MeetingEvent };

interface Mutation<I, O> {
  mutate(input: I): Promise<O>;
}

export interface PeerInput {
  meetingId: string;
  peerId: string;
}

/** ICE servers for the caller's connections (STUN, and TURN with a time-limited credential: iceRefresh.ts). */
export interface IceServersGrant {
  iceServers: RTCIceServer[];
  /** how long the TURN credential in `iceServers` lasts */
  expiresInS: number;
  /** set when only STUN is given (the daily relay allowance is used up): shown to the person once */
  relayNotice: string | null;
}

export interface JoinResult extends IceServersGrant {
  meeting: { id: string; code: string; title: string; maxParticipants: number; mode: string; hostId: string };
  self: PeerInfo;
  peers: PeerInfo[];
  /** null while the meeting runs without a media server (P2P only) */
  routerRtpCapabilities: RtpCapabilities | null;
  /** the room's topology now and how many participants it keeps as a P2P mesh */
  mode: "P2P" | "SFU";
  meshThreshold: number;
  /** "Listen together": what is shared and where it is now */
  playback: Extract<MeetingEvent, { type: "playback" }>["playback"] | null;
  /** whether everyone may share and control it (the host always may) */
  playbackAllowed: boolean;
  lastEventId: string;
}

/** A P2P negotiation message relayed by the server to one participant (perfect negotiation). */
export interface P2PSignal {
  description?: { type: "offer" | "answer" | "pranswer" | "rollback"; sdp?: string };
  candidate?: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null;
}

export interface TransportInfo {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface ConsumeResult {
  consumerId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  producerPaused: boolean;
  producerPeerId: string;
  source: MediaSource;
}

export interface Subscription {
  unsubscribe(): void;
}

export interface EventsObserver {
  onStarted?: () => void;
  onData?: (value: { id: string; data: MeetingEvent }) => void;
  onError?: (error: unknown) => void;
  onConnectionStateChange?: (state: { state: "idle" | "connecting" | "pending"; error: unknown }) => void;
}

export interface SignalingClient {
  room: {
    join: Mutation<{ code: string }, JoinResult>;
    events: { subscribe(input: PeerInput & { lastEventId?: string }, observer: EventsObserver): Subscription };
    leave: Mutation<PeerInput, unknown>;
    reconnectMedia: Mutation<PeerInput, { routerRtpCapabilities: RtpCapabilities | null; peers: PeerInfo[] }>;
    signal: Mutation<PeerInput & { targetPeerId: string; signal: P2PSignal }, unknown>;
    /** fresh ICE servers (time-limited TURN credentials) */
    iceServers: { query(input: PeerInput): Promise<IceServersGrant> };
    setMeshThreshold: Mutation<PeerInput & { meshThreshold: number }, unknown>;
    muteParticipant: Mutation<PeerInput & { targetPeerId: string }, unknown>;
    setMicMuted: Mutation<PeerInput & { muted: boolean }, unknown>;
    removeParticipant: Mutation<PeerInput & { targetPeerId: string }, unknown>;
    end: Mutation<PeerInput, unknown>;
  };
  media: {
    createTransport: Mutation<PeerInput & { direction: "send" | "recv" }, TransportInfo>;
    connectTransport: Mutation<PeerInput & { transportId: string; dtlsParameters: DtlsParameters }, unknown>;
    produce: Mutation<PeerInput & { transportId: string; kind: MediaKind; rtpParameters: RtpParameters; source: MediaSource }, { producerId: string }>;
    consume: Mutation<PeerInput & { transportId: string; producerId: string; rtpCapabilities: RtpCapabilities }, ConsumeResult>;
    resumeConsumer: Mutation<PeerInput & { consumerId: string }, unknown>;
    pauseConsumer: Mutation<PeerInput & { consumerId: string }, unknown>;
    setPreferredLayers: Mutation<PeerInput & { consumerId: string; spatialLayer: number; temporalLayer?: number }, unknown>;
    pauseProducer: Mutation<PeerInput & { producerId: string }, unknown>;
    resumeProducer: Mutation<PeerInput & { producerId: string }, unknown>;
    closeProducer: Mutation<PeerInput & { producerId: string }, unknown>;
    restartIce: Mutation<PeerInput & { transportId: string }, { iceParameters: IceParameters }>;
    closeTransports: Mutation<PeerInput, unknown>;
  };
}

/** The tab's realtime client, seen through the signaling contract. */
export function getSignaling(realtimeUrl: string): SignalingClient {
  return fromRealtimeClient(getRealtimeClient(realtimeUrl));
}

/**
 * Adapts the typed realtime client to the contract. Everything is checked against RealtimeRouter except the
 * opaque WebRTC parameter objects, whose server (mediasoup) and browser (mediasoup-client) typings differ in
 * detail while describing the same JSON.
 */
export function fromRealtimeClient(c: TRPCClient<RealtimeRouter>): SignalingClient {
  type Rtp = Parameters<typeof c.media.produce.mutate>[0]["rtpParameters"];
  type Caps = Parameters<typeof c.media.consume.mutate>[0]["rtpCapabilities"];
  return {
    room: {
      join: {
        mutate: async (input) => {
          const res = await c.room.join.mutate(input);
          return { ...res, routerRtpCapabilities: res.routerRtpCapabilities as RtpCapabilities | null };
        },
      },
      events: { subscribe: (input, observer) => c.room.events.subscribe(input, observer) },
      leave: c.room.leave,
      reconnectMedia: {
        mutate: async (input) => {
          const res = await c.room.reconnectMedia.mutate(input);
          return { ...res, routerRtpCapabilities: res.routerRtpCapabilities as RtpCapabilities | null };
        },
      },
      signal: c.room.signal,
      iceServers: c.room.iceServers,
      setMeshThreshold: c.room.setMeshThreshold,
      muteParticipant: c.room.muteParticipant,
      setMicMuted: c.room.setMicMuted,
      removeParticipant: c.room.removeParticipant,
      end: c.room.end,
    },
    media: {
      createTransport: {
        mutate: async (input) => {
          const res = await c.media.createTransport.mutate(input);
          return {
            id: res.id,
            iceParameters: res.iceParameters as IceParameters,
            iceCandidates: res.iceCandidates as IceCandidate[],
            dtlsParameters: res.dtlsParameters as DtlsParameters,
          };
        },
      },
      connectTransport: c.media.connectTransport,
      produce: { mutate: (input) => c.media.produce.mutate({ ...input, rtpParameters: input.rtpParameters as Rtp }) },
      consume: {
        mutate: async (input) => {
          const res = await c.media.consume.mutate({ ...input, rtpCapabilities: input.rtpCapabilities as Caps });
          return { ...res, rtpParameters: res.rtpParameters as RtpParameters };
        },
      },
      resumeConsumer: c.media.resumeConsumer,
      pauseConsumer: c.media.pauseConsumer,
      setPreferredLayers: c.media.setPreferredLayers,
      pauseProducer: c.media.pauseProducer,
      resumeProducer: c.media.resumeProducer,
      closeProducer: c.media.closeProducer,
      restartIce: c.media.restartIce,
      closeTransports: c.media.closeTransports,
    },
  };
}
