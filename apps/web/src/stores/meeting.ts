// The live meeting as this tab sees it: who is in it, what they publish, the remote tracks we receive, the
// connection state and our own controls. Written by the media engine (lib/media), read by components.
import { create } from "zustand";
import type { MediaSource, PeerInfo, ProducerInfo, MeetingEvent } from "@qualmeet/api";

export type { MediaSource, PeerInfo, ProducerInfo };

/** Shown to the user verbatim (role="status"). */
export type ConnectionState = "Connecting" | "Reconnecting" | "Connected";
/** "waiting": in the meeting's lobby until the host lets them in; "denied": the host did not */
export type Phase = "lobby" | "waiting" | "joining" | "joined" | "left" | "ended" | "removed" | "denied";
export type Quality = "good" | "fair" | "poor";

export interface MeetingInfo {
  id: string;
  code: string;
  title: string;
  maxParticipants: number;
  mode: string;
  hostId: string;
}

/** A participant as the room's events describe them, and whether it is this page's own. */
export interface Participant extends PeerInfo {
  isSelf: boolean;
}

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  peerId: string;
  source: MediaSource;
  kind: "audio" | "video";
  track: MediaStreamTrack;
  /** how it reaches us: through the SFU (default) or a direct P2P connection */
  via?: "sfu" | "p2p";
  /** media has arrived (first frame decoded / first packets): during a topology switch a tile keeps the
   * track it shows until the other path's track for that peer and source flows */
  flowing?: boolean;
}

export type Topology = "P2P" | "SFU";

export interface TopologyState {
  /** the topology the server decided */
  mode: Topology;
  /** P2P while at most this many participants (0: always SFU) */
  meshThreshold: number;
  /** false while the media server cannot be reached */
  mediaServer: boolean;
  /** "P2P" or "SFU" while the client moves its media to `mode` */
  switching: boolean;
}

export interface LocalMedia {
  micMuted: boolean;
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
}

/** "Listen together": the shared media and where it is (room.join's `playback`, then `playback` events). */
export type PlaybackState = Extract<MeetingEvent, { type: "playback" }>["playback"];

export interface Notice {
  id: number;
  text: string;
  tone: "info" | "error";
}

interface MeetingState {
  phase: Phase;
  meeting: MeetingInfo | null;
  selfPeerId: string | null;
  participants: Record<string, Participant>;
  /** peer ids in the order they joined (self first) */
  order: string[];
  tracks: Record<string, RemoteTrack>;
  /** consumer scores 0-10 from the SFU by consumer id (they may arrive before the track is set up) */
  scores: Record<string, { peerId: string; score: number }>;
  activeSpeakerId: string | null;
  levels: Record<string, number>;
  connection: ConnectionState;
  topology: TopologyState;
  local: LocalMedia;
  notice: Notice | null;
  /** why joining failed, or why the meeting is over for us */
  error: string | null;
  page: number;
  playback: PlaybackState | null;
  /** the host lets everyone share and control "Listen together" (the host always may) */
  playbackAllowed: boolean;

  reset(): void;
  setPhase(phase: Phase, error?: string | null): void;
  setJoined(meeting: MeetingInfo, self: PeerInfo, peers: PeerInfo[]): void;
  upsertPeer(peer: PeerInfo): void;
  removePeer(peerId: string): void;
  setPeers(peers: PeerInfo[]): void;
  addProducer(peerId: string, producer: ProducerInfo): void;
  removeProducer(peerId: string, producerId: string): void;
  setProducerPaused(peerId: string, producerId: string, paused: boolean): void;
  setPeerMicMuted(peerId: string, muted: boolean): void;
  addTrack(track: RemoteTrack): void;
  removeTrack(consumerId: string): void;
  setTrackFlowing(consumerId: string): void;
  setTopology(topology: Partial<TopologyState>): void;
  clearTracks(): void;
  setScore(consumerId: string, peerId: string, score: number): void;
  setActiveSpeaker(peerId: string | null): void;
  setLevels(levels: Array<{ peerId: string; volume: number }>): void;
  setConnection(connection: ConnectionState): void;
  setLocal(local: Partial<LocalMedia>): void;
  notify(text: string, tone?: Notice["tone"]): void;
  dismissNotice(id: number): void;
  setPage(page: number): void;
  setPlayback(playback: PlaybackState | null): void;
  setPlaybackAllowed(allowed: boolean): void;
}

const initial = {
  phase: "lobby" as Phase,
  meeting: null,
  selfPeerId: null,
  participants: {},
  order: [],
  tracks: {},
  scores: {},
  activeSpeakerId: null,
  levels: {},
  connection: "Connecting" as ConnectionState,
  topology: { mode: "SFU", meshThreshold: 0, mediaServer: true, switching: false } as TopologyState,
  local: { micMuted: false, camera: null, mic: null, screen: null },
  notice: null,
  error: null,
  page: 0,
  playback: null as PlaybackState | null,
  playbackAllowed: false,
};

let noticeId = 0;

const toParticipant = (peer: PeerInfo, selfPeerId: string | null): Participant => ({
  peerId: peer.peerId,
  userId: peer.userId,
  displayName: peer.displayName,
  isHost: peer.isHost,
  isGuest: peer.isGuest,
  isBot: peer.isBot,
  isSelf: peer.peerId === selfPeerId,
  micMuted: peer.micMuted,
  producers: [...peer.producers],
});

const withoutKey = <T>(record: Record<string, T>, key: string): Record<string, T> => {
  if (!(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
};

export const useMeetingStore = create<MeetingState>()((set) => ({
  ...initial,

  reset: () => set({ ...initial }),
  setPhase: (phase, error = null) => set({ phase, error }),
  setJoined: (meeting, self, peers) => {
    const participants: Record<string, Participant> = { [self.peerId]: toParticipant(self, self.peerId) };
    for (const peer of peers) if (peer.peerId !== self.peerId) participants[peer.peerId] = toParticipant(peer, self.peerId);
    set({ phase: "joined", meeting, selfPeerId: self.peerId, participants, order: Object.keys(participants), error: null, page: 0 });
  },
  upsertPeer: (peer) =>
    set((s) => {
      const existing = s.participants[peer.peerId];
      const next = toParticipant(peer, s.selfPeerId);
      return {
        participants: { ...s.participants, [peer.peerId]: existing ? { ...next, producers: mergeProducers(existing.producers, next.producers) } : next },
        order: existing ? s.order : [...s.order, peer.peerId],
      };
    }),
  removePeer: (peerId) =>
    set((s) => ({
      participants: withoutKey(s.participants, peerId),
      order: s.order.filter((id) => id !== peerId),
      tracks: Object.fromEntries(Object.entries(s.tracks).filter(([, t]) => t.peerId !== peerId)),
      scores: Object.fromEntries(Object.entries(s.scores).filter(([, t]) => t.peerId !== peerId)),
      activeSpeakerId: s.activeSpeakerId === peerId ? null : s.activeSpeakerId,
      levels: withoutKey(s.levels, peerId),
    })),
  setPeers: (peers) =>
    set((s) => {
      const participants: Record<string, Participant> = {};
      const self = s.selfPeerId ? s.participants[s.selfPeerId] : undefined;
      if (self) participants[self.peerId] = self;
      for (const peer of peers) if (peer.peerId !== s.selfPeerId) participants[peer.peerId] = toParticipant(peer, s.selfPeerId);
      const order = [...s.order.filter((id) => id in participants), ...Object.keys(participants).filter((id) => !s.order.includes(id))];
      return { participants, order };
    }),
  addProducer: (peerId, producer) =>
    set((s) => {
      const p = s.participants[peerId];
      if (!p) return s;
      return { participants: { ...s.participants, [peerId]: { ...p, producers: mergeProducers(p.producers, [producer]) } } };
    }),
  removeProducer: (peerId, producerId) =>
    set((s) => {
      const p = s.participants[peerId];
      if (!p) return s;
      return { participants: { ...s.participants, [peerId]: { ...p, producers: p.producers.filter((x) => x.producerId !== producerId) } } };
    }),
  setProducerPaused: (peerId, producerId, paused) =>
    set((s) => {
      const p = s.participants[peerId];
      if (!p) return s;
      const producers = p.producers.map((x) => (x.producerId === producerId ? { ...x, paused } : x));
      return { participants: { ...s.participants, [peerId]: { ...p, producers } } };
    }),
  setPeerMicMuted: (peerId, micMuted) =>
    set((s) => {
      const p = s.participants[peerId];
      return p ? { participants: { ...s.participants, [peerId]: { ...p, micMuted } } } : s;
    }),
  addTrack: (track) => set((s) => ({ tracks: { ...s.tracks, [track.consumerId]: track } })),
  removeTrack: (consumerId) => set((s) => ({ tracks: withoutKey(s.tracks, consumerId), scores: withoutKey(s.scores, consumerId) })),
  setTrackFlowing: (consumerId) =>
    set((s) => {
      const t = s.tracks[consumerId];
      return !t || t.flowing ? s : { tracks: { ...s.tracks, [consumerId]: { ...t, flowing: true } } };
    }),
  setTopology: (topology) => set((s) => ({ topology: { ...s.topology, ...topology } })),
  clearTracks: () => set({ tracks: {}, scores: {} }),
  setScore: (consumerId, peerId, score) => set((s) => (s.scores[consumerId]?.score === score ? s : { scores: { ...s.scores, [consumerId]: { peerId, score } } })),
  setActiveSpeaker: (activeSpeakerId) => set({ activeSpeakerId }),
  setLevels: (levels) => set({ levels: Object.fromEntries(levels.map((l) => [l.peerId, l.volume])) }),
  setConnection: (connection) => set((s) => (s.connection === connection ? s : { connection })),
  setLocal: (local) => set((s) => ({ local: { ...s.local, ...local } })),
  notify: (text, tone = "info") => set({ notice: { id: ++noticeId, text, tone } }),
  dismissNotice: (id) => set((s) => (s.notice?.id === id ? { notice: null } : s)),
  setPage: (page) => set({ page }),
  setPlayback: (playback) => set({ playback }),
  setPlaybackAllowed: (playbackAllowed) => set({ playbackAllowed }),
}));

function mergeProducers(current: ProducerInfo[], added: ProducerInfo[]): ProducerInfo[] {
  const byId = new Map(current.map((p) => [p.producerId, p]));
  for (const p of added) byId.set(p.producerId, p);
  return [...byId.values()];
}

/**
 * The track to show for a peer's source. During a switch between P2P and SFU both paths may deliver it: a
 * flowing track wins over one without frames yet, then the one of the current topology.
 */
export function pickTrack(tracks: Record<string, RemoteTrack>, peerId: string, source: MediaSource, mode: Topology): RemoteTrack | undefined {
  let best: RemoteTrack | undefined;
  let bestScore = -1;
  for (const t of Object.values(tracks)) {
    if (t.peerId !== peerId || t.source !== source) continue;
    const score = (t.flowing ? 2 : 0) + ((t.via ?? "sfu") === (mode === "P2P" ? "p2p" : "sfu") ? 1 : 0);
    if (score > bestScore) {
      best = t;
      bestScore = score;
    }
  }
  return best;
}

/** What a participant publishes right now (a paused producer counts as off). */
export function publishing(p: Participant | undefined, source: MediaSource): boolean {
  return !!p?.producers.some((x) => x.source === source && !x.paused);
}

/** A peer's network quality: the worst score among the consumers of their media. */
export function peerQuality(scores: MeetingState["scores"], peerId: string): Quality | null {
  let worst: number | null = null;
  for (const s of Object.values(scores)) if (s.peerId === peerId && (worst === null || s.score < worst)) worst = s.score;
  return qualityOf(worst);
}

/** Consumer score 0-10 -> a coarse network quality. */
export function qualityOf(score: number | null | undefined): Quality | null {
  if (score == null) return null;
  if (score >= 7) return "good";
  if (score >= 4) return "fair";
  return "poor";
}
