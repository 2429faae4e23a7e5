export const statusLabel: Record<"SCHEDULED" | "LIVE" | "ENDED", string> = {
  SCHEDULED: "Not started",
  LIVE: "Live",
  ENDED: "Ended",
};

/** How a meeting's media travels: the pre-join details and the room's own indicator say it the same way. */
export const modeLabel = { P2P: "Direct (P2P)", SFU: "Via media server (SFU)" } as const;
