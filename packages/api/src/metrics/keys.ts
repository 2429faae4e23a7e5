// Every Redis key and channel of the counters, in one place.
//   metrics:nodes                  set of node ids that published a snapshot (an expired one is removed by readers)
//   metrics:node:{nodeId}          JSON NodeSnapshot, TTL NODE_SNAPSHOT_TTL_MS: the node's counters, refreshed every
//                                  NODE_PUBLISH_MS; a node that stops or dies drops out when it lapses
//   metrics:match-wait:{minute}    hash bucket -> count (and "sum" in ms), TTL: random chat's match waits of one UTC
//                                  minute (minute = ms / 60000), summed over the last 15 by the dashboard
//   metrics:changed                pub/sub: a node's counts changed, dashboards read again at once

export const metricsKeys = {
  nodes: "metrics:nodes",
  node: (nodeId: string) => `metrics:node:${nodeId}`,
  matchWaitMinute: (minute: number) => `metrics:match-wait:${minute}`,
  changedChannel: "metrics:changed",
} as const;

/** How often a node publishes its snapshot. */
export const NODE_PUBLISH_MS = 1000;
/** A snapshot not refreshed for this long belongs to a stopped or dead node. */
export const NODE_SNAPSHOT_TTL_MS = 4000;
/** The match latency window of the dashboard. */
export const MATCH_WAIT_WINDOW_MINUTES = 15;
