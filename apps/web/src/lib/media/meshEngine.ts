// The P2P mesh as the app uses it: the mesh (mesh/mesh.ts, mesh/peer.ts) with its remote tracks kept in the
// meeting store, where the tiles find them (via "p2p").
import type { MediaSource } from "@qualmeet/api";
import { useMeetingStore } from "@/stores/meeting";
import { Mesh } from "./mesh/mesh";
import type { MeshHost, RemoteTracks } from "./mesh/peer";

export type { MeshHost };

export const meshTrackId = (peerId: string, source: MediaSource) => `p2p:${peerId}:${source}`;

const storeTracks: RemoteTracks = {
  add(peerId, source, track) {
    const id = meshTrackId(peerId, source);
    useMeetingStore.getState().addTrack({ consumerId: id, producerId: id, peerId, source, kind: track.kind as "audio" | "video", track, via: "p2p" });
  },
  remove(peerId, source, track) {
    const id = meshTrackId(peerId, source);
    const store = useMeetingStore.getState();
    if (track === null || store.tracks[id]?.track === track) store.removeTrack(id);
  },
  flowing(peerId, source, track) {
    const id = meshTrackId(peerId, source);
    if (useMeetingStore.getState().tracks[id]?.track === track) useMeetingStore.getState().setTrackFlowing(id);
  },
};

export class MeshEngine extends Mesh {
  constructor(host: MeshHost) {
    super(host, storeTracks);
  }
}
