/// <reference lib="dom" />
// What bench:join reads from each Chromium page: when "Join now" was clicked and when each remote video track
// presented its first frame (requestVideoFrameCallback), on the page's own clock (epoch ms, one machine), and
// the media engine's topology (window.__qualmeet, apps/web/src/lib/media/index.ts).
import type { BrowserContext, Page } from "playwright-core";

export interface RemoteVideo {
  peerId: string;
  trackId: string;
  live: boolean;
}

export interface PageState {
  /** epoch ms of the click on "Join now", null before */
  clickAt: number | null;
  peerId: string | null;
  /** "peerId|trackId" -> epoch ms of that remote camera track's first presented frame */
  firstFrames: Record<string, number>;
  /** the remote camera videos on the page now */
  videos: RemoteVideo[];
  topology: { mode: "P2P" | "SFU"; switching: boolean; mesh: unknown } | null;
}

interface Probe {
  clickAt: number | null;
  firstFrames: Record<string, number>;
}

/** Runs in every page of `context` from its first script on, across navigations. */
export async function installProbe(context: BrowserContext): Promise<void> {
  // tsx (esbuild keepNames) wraps named functions in a `__name(fn, "name")` call that the page lacks
  await context.addInitScript({ content: "globalThis.__name ??= (fn) => fn;" });
  await context.addInitScript(() => {
    const probe: Probe = { clickAt: null, firstFrames: {} };
    (window as unknown as { __joinProbe: Probe }).__joinProbe = probe;
    const epochMs = (t: DOMHighResTimeStamp) => performance.timeOrigin + t;
    document.addEventListener(
      "click",
      (event) => {
        const button = (event.target as Element | null)?.closest?.("button");
        if (button?.textContent?.trim() === "Join now" && probe.clickAt === null) probe.clickAt = epochMs(performance.now());
      },
      true,
    );
    const watched = new WeakSet<HTMLVideoElement>();
    const watch = (video: HTMLVideoElement) => {
      const onFrame = (_now: DOMHighResTimeStamp, frame: VideoFrameCallbackMetadata) => {
        const track = (video.srcObject as MediaStream | null)?.getVideoTracks()[0];
        const key = `${video.dataset.peerId}|${track?.id}`;
        if (track && !(key in probe.firstFrames)) probe.firstFrames[key] = epochMs(frame.presentationTime);
        if (video.isConnected) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    };
    setInterval(() => {
      for (const video of document.querySelectorAll<HTMLVideoElement>('video[data-peer-id][data-source="camera"]:not([data-self])')) {
        if (watched.has(video)) continue;
        watched.add(video);
        watch(video);
      }
    }, 20);
  });
}

export function readState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const probe = (window as unknown as { __joinProbe?: Probe }).__joinProbe ?? { clickAt: null, firstFrames: {} };
    const videos = [...document.querySelectorAll<HTMLVideoElement>('video[data-peer-id][data-source="camera"]:not([data-self])')].flatMap((video) => {
      const track = (video.srcObject as MediaStream | null)?.getVideoTracks()[0];
      return track ? [{ peerId: video.dataset.peerId!, trackId: track.id, live: track.readyState === "live" }] : [];
    });
    const debug = (window as unknown as { __qualmeet?: { peerId: string | null; topology?(): PageState["topology"] } }).__qualmeet;
    const topology = debug?.topology?.() ?? null;
    return {
      clickAt: probe.clickAt,
      peerId: debug?.peerId ?? null,
      firstFrames: probe.firstFrames,
      videos,
      topology: topology && { mode: topology.mode, switching: topology.switching, mesh: topology.mesh },
    };
  });
}

/** Epoch ms of the first frame this page presented from `peerId` (any track), if any. */
export function firstFrameFrom(state: PageState, peerId: string): number | undefined {
  const times = Object.entries(state.firstFrames)
    .filter(([key]) => key.startsWith(`${peerId}|`))
    .map(([, at]) => at);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * Epoch ms by which this page shows every one of `others` over the SFU: the page runs on the SFU with its mesh
 * closed, and each of them has a live video whose track presented a frame; the latest of those first frames.
 */
export function sfuCompleteAt(state: PageState, others: string[]): number | undefined {
  const t = state.topology;
  if (!t || t.mode !== "SFU" || t.switching || t.mesh) return undefined;
  let latest = 0;
  for (const peerId of others) {
    const shown = state.videos.filter((v) => v.peerId === peerId && v.live).map((v) => state.firstFrames[`${peerId}|${v.trackId}`]);
    const at = shown.find((x) => x !== undefined);
    if (at === undefined) return undefined;
    latest = Math.max(latest, at);
  }
  return latest;
}
