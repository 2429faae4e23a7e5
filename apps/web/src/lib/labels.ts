export const statusLabel: Record<"SCHEDULED" | "LIVE" | "ENDED", string> = {
  SCHEDULED: "Not started",
  LIVE: "Live",
  ENDED: "Ended",
};

export const modeLabel: Record<"P2P" | "SFU", string> = {
  P2P: "Peer-to-peer (small group)",
  SFU: "Server-routed (large group)",
};
