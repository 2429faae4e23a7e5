// Which P2P signals the browser acts on: an offer, answer or candidate is negotiated only in P2P mode (or on a
// node without a media server); while the SFU carries the meeting nothing new is answered (an answer or candidate
// would tell the sender our addresses), and while it takes over only the connections the mesh still has hear
// from their peers. The boundary is faked: RTCPeerConnection (mesh/fakeWebRtc.ts), the SFU path, the server.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Mesh } from "./mesh/mesh";
import { FakeMediaStream, FakePeerConnection } from "./mesh/fakeWebRtc";
import { MediaSession } from "./mediaSession";
import type { SfuMedia } from "./sfuMedia";
import type { JoinResult, P2PSignal, SignalingClient } from "./signaling";
import { TopologySwitch } from "./topologySwitch";

const offer: P2PSignal = { description: { type: "offer", sdp: "v=0\r\n" } };
const candidate: P2PSignal = { candidate: { candidate: "candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host", sdpMid: "0", sdpMLineIndex: 0 } };

let session: MediaSession;
/** the signals the mesh acted on, as "from: kind" */
let handled: string[];

/** The engine's topology controller, joined as "me" with `res`'s mode, media server and peers. */
async function joined(res: Pick<JoinResult, "mode" | "routerRtpCapabilities" | "peers">): Promise<TopologySwitch> {
  session = new MediaSession({ room: { signal: { mutate: async () => ({}) } } } as unknown as SignalingClient, () => {});
  session.ids = { meetingId: "m1", peerId: "me" };
  // the SFU path builds at once; a switch to it keeps the mesh until the SFU's media flows (not before the test ends)
  const sfu = {
    transports: { device: {}, send: null, open: false, loadDevice: async () => {}, unloadDevice: () => {} },
    build: async () => {},
    close: () => {},
  } as unknown as SfuMedia;
  const topology = new TopologySwitch(session, sfu);
  const full = { ...res, meshThreshold: 3, meeting: { id: "m1" }, self: { peerId: "me" }, playback: null, iceServers: [], lastEventId: "0-0" } as unknown as JoinResult;
  topology.apply(full);
  await topology.startMedia(full);
  return topology;
}

const bob = { peerId: "bob" } as JoinResult["peers"][number];

beforeEach(() => {
  vi.stubGlobal("RTCPeerConnection", FakePeerConnection);
  vi.stubGlobal("MediaStream", FakeMediaStream);
  handled = [];
  vi.spyOn(Mesh.prototype, "handleSignal").mockImplementation((from: string, signal: P2PSignal) => void handled.push(`${from}: ${signal.description ? "offer" : "candidate"}`));
});

afterEach(() => {
  session.closed = true;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("P2P signals in the browser", () => {
  test("in an SFU meeting an offer or candidate is ignored and no connection is opened", async () => {
    const topology = await joined({ mode: "SFU", routerRtpCapabilities: { codecs: [] }, peers: [bob] });
    topology.onSignal("mallory", offer);
    topology.onSignal("bob", candidate);
    expect(handled).toEqual([]);
    expect(topology.describe().mesh).toBeNull();
  });

  test("while the SFU takes over, the mesh's own connections hear from their peers; nobody else starts one", async () => {
    const topology = await joined({ mode: "P2P", routerRtpCapabilities: { codecs: [] }, peers: [bob] });
    topology.onSignal("bob", offer);
    topology.onModeChanged("SFU", 0);
    topology.onSignal("mallory", offer);
    topology.onSignal("bob", candidate);
    expect(handled).toEqual(["bob: offer", "bob: candidate"]);
    expect(Object.keys(topology.describe().mesh ?? {})).toEqual(["bob"]);
  });

  test("without a media server the mesh carries a meeting set to the SFU, and negotiates", async () => {
    const topology = await joined({ mode: "SFU", routerRtpCapabilities: null, peers: [] });
    topology.onSignal("bob", offer);
    expect(handled).toEqual(["bob: offer"]);
  });
});
