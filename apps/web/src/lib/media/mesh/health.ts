// The mesh's one healing rule: a connection that is not healthy for `graceMs` is replaced by a new one (the
// other side follows the new connection id). Unhealthy means: ICE/DTLS failed, or not connected, or an
// offer/answer exchange that does not complete (a lost message), or a video the other side sends that stops
// decoding (Chromium can stop sending after a rollback; renegotiating does not revive it). Replacements back
// off (doubling up to maxBackoffMs) while the peer does not get healthy, and never stop: a freeze that outlasts
// any number of attempts still heals once the cause is gone.

/** One look at a connection (taken about once a second). */
export interface HealthSample {
  now: number;
  connectionState: RTCPeerConnectionState;
  signalingState: RTCSignalingState;
  /** the connection has something to carry (a track of ours, or the other side's description) */
  active: boolean;
  /** frames decoded so far, per remote video the connection currently receives (by track id) */
  videoFrames: ReadonlyMap<string, number>;
}

export interface HealthOptions {
  graceMs: number;
  maxBackoffMs: number;
}

export class PeerHealth {
  /** since when each part has been wrong on the current connection (null: fine) */
  private notConnectedSince: number | null = null;
  private notStableSince: number | null = null;
  /** per remote video: its last frame count, when that changed, and whether it ever grew on this connection */
  private readonly videos = new Map<string, { frames: number; changedAt: number; grew: boolean }>();
  private backoffMs = 0;
  private lastReplacedAt = -Infinity;

  constructor(private readonly options: HealthOptions) {}

  /** A new connection replaced the old one: start watching it from scratch. */
  replaced(now: number): void {
    this.notConnectedSince = null;
    this.notStableSince = null;
    this.videos.clear();
    this.lastReplacedAt = now;
    this.backoffMs = this.backoffMs === 0 ? this.options.graceMs : Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
  }

  /** Why the connection should be replaced now, or null. */
  observe(sample: HealthSample): string | null {
    const { now } = sample;
    if (!sample.active) {
      this.notConnectedSince = this.notStableSince = null;
      return null;
    }
    this.notConnectedSince = sample.connectionState === "connected" ? null : (this.notConnectedSince ?? now);
    this.notStableSince = sample.signalingState === "stable" ? null : (this.notStableSince ?? now);
    let stalledVideo: string | null = null;
    for (const [trackId, frames] of sample.videoFrames) {
      const seen = this.videos.get(trackId);
      if (!seen) this.videos.set(trackId, { frames, changedAt: now, grew: false });
      else if (seen.frames !== frames) this.videos.set(trackId, { frames, changedAt: now, grew: true });
      else if (now - seen.changedAt >= this.options.graceMs) stalledVideo = trackId;
    }
    for (const trackId of this.videos.keys()) if (!sample.videoFrames.has(trackId)) this.videos.delete(trackId);

    const longer = (since: number | null) => since !== null && now - since >= this.options.graceMs;
    const reason =
      sample.connectionState === "failed"
        ? "connection failed"
        : longer(this.notConnectedSince)
          ? `not connected (${sample.connectionState})`
          : longer(this.notStableSince)
            ? `negotiation stuck (${sample.signalingState})`
            : stalledVideo !== null && sample.connectionState === "connected"
              ? "remote video stalled"
              : null;
    if (reason === null) {
      // a connection that carries everything (each video has shown new frames) resets the backoff
      const flowing = [...this.videos.values()].every((v) => v.grew);
      if (this.notConnectedSince === null && this.notStableSince === null && stalledVideo === null && flowing) this.backoffMs = 0;
      return null;
    }
    if (now - this.lastReplacedAt < this.backoffMs) return null;
    return reason;
  }
}
