// The pure parts of bench:meeting: which participants' video each participant shows (its visible tiles),
// how often a participant's microphone sends, the loss of the forwarded streams (overall and the worst
// stream's) and how many participants one core of SFU CPU carries.

/**
 * The participants whose video `index` shows, as a paged grid on its first page would: the `tiles` next
 * participants round-robin (so every participant is shown by as many others as it shows), never itself.
 */
export function visibleTiles(index: number, participants: number, tiles: number): number[] {
  const shown = Math.min(tiles, participants - 1);
  return Array.from({ length: Math.max(0, shown) }, (_, k) => (index + 1 + k) % participants);
}

/**
 * Milliseconds between two microphone packets: opus sends a 20 ms frame while someone talks; our client
 * publishes opus with DTX (sfuPublisher.ts), and opus DTX sends one frame every 400 ms of silence.
 */
export function audioIntervalMs(speaking: boolean): number {
  return speaking ? 20 : 400;
}

/** Participants carried per 100% of one core of SFU CPU (null when no CPU was measured). */
export function participantsPerCore(participants: number, sfuCpuPct: number): number | null {
  return sfuCpuPct > 0 ? participants / (sfuCpuPct / 100) : null;
}

export interface StreamLoss {
  /** Lost over expected packets of every stream, in percent. */
  lossPct: number;
  /** The highest loss of one stream, in percent. */
  worstStreamLossPct: number;
}

/**
 * Loss between two snapshots of the receivers' per-stream counters, each a flat list of [expected, counted]
 * pairs in the same stream order (a stream that received nothing in between counts as no loss).
 */
export function streamLoss(before: readonly number[], after: readonly number[]): StreamLoss {
  let expected = 0;
  let lost = 0;
  let worst = 0;
  for (let i = 0; i + 1 < after.length; i += 2) {
    const streamExpected = after[i]! - (before[i] ?? 0);
    const streamLost = Math.max(0, streamExpected - (after[i + 1]! - (before[i + 1] ?? 0)));
    expected += Math.max(0, streamExpected);
    lost += streamLost;
    if (streamExpected > 0) worst = Math.max(worst, (streamLost / streamExpected) * 100);
  }
  return { lossPct: expected > 0 ? (lost / expected) * 100 : 0, worstStreamLossPct: worst };
}
