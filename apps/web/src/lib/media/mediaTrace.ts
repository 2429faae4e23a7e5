// The steps of a join or a media rebuild with their wall-clock times (the e2e tests print them), and with
// `window.__qualmeetDebug` or `?debug=media` the first packet and frame of each video.
import type { Consumer } from "mediasoup-client/types";
import { sleep } from "./mediaCalls";

/** Steps are recorded for this long after the join or rebuild started. */
const TRACE_WINDOW_MS = 15_000;

export function debugMedia(): boolean {
  if (typeof window === "undefined") return false;
  return !!(window as { __qualmeetDebug?: boolean }).__qualmeetDebug || new URLSearchParams(window.location.search).get("debug") === "media";
}

export class MediaTrace {
  log: Array<{ step: string; at: number }> = [];

  /** Starts a new log (a join, or the media server lost). */
  start(step: string): void {
    this.log = [{ step, at: Date.now() }];
  }

  mark(step: string): void {
    const start = this.log[0]?.at;
    if (start !== undefined && Date.now() - start < TRACE_WINDOW_MS) this.log.push({ step, at: Date.now() });
  }

  /** Marks the first packet and the first decoded frame of a video just resumed. */
  async firstFrame(consumer: Consumer, what: string): Promise<void> {
    const start = this.log[0]?.at;
    if (start === undefined || Date.now() - start > TRACE_WINDOW_MS) return;
    let sawPacket = false;
    for (let i = 0; i < 100 && !consumer.closed; i++) {
      const report = await consumer.getStats().catch(() => null);
      let packets = 0;
      let frames = 0;
      let pli = 0;
      let fir = 0;
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== "inbound-rtp") return;
        packets = Number(s.packetsReceived ?? 0);
        frames = Number(s.framesDecoded ?? 0);
        pli = Number(s.pliCount ?? 0);
        fir = Number(s.firCount ?? 0);
      });
      if (packets > 0 && !sawPacket) {
        sawPacket = true;
        this.mark(`first packet ${what} pli=${pli} fir=${fir}`);
      }
      if (frames > 0) {
        this.mark(`first frame ${what} packets=${packets} pli=${pli}`);
        return;
      }
      await sleep(50);
    }
  }
}
