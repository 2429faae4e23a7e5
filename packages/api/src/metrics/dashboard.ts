// The admin dashboard's snapshot: every node's counters summed, each node listed, and the service's own numbers.
import type { Redis } from "ioredis";
import type { ClusterMetrics, ClusterNumbers } from "./clusterMetrics.ts";
import { readMatchWaits, type MatchWaitHistogram } from "./matchWaits.ts";
import { MODES, type ByMode, type NodeSnapshot } from "./nodeMetrics.ts";
import { readNodeSnapshots } from "./nodeSnapshots.ts";

export interface DashboardNode {
  nodeId: string;
  sockets: number;
  usersOnline: number;
  meetings: number;
  participants: number;
  workers: { pid: number; routers: number; consumers: number; /** share of one core since the previous snapshot; null at first */ cpuPercent: number | null }[];
}

export interface DashboardSnapshot extends ClusterNumbers {
  /** when it was read (ms) */
  at: number;
  /** users with a socket, summed over nodes (a user with sockets on two nodes counts on each) */
  usersOnline: number;
  sockets: number;
  meetings: ByMode;
  participants: ByMode;
  /** random chat's match waits over the last 15 minutes, every node */
  matchWaits: MatchWaitHistogram;
  nodes: DashboardNode[];
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const sumByMode = (nodes: NodeSnapshot[], pick: (node: NodeSnapshot) => ByMode) => Object.fromEntries(MODES.map((mode) => [mode, sum(nodes.map((n) => pick(n)[mode]))])) as ByMode;

/**
 * Sums the nodes' snapshots and lists each; `previous` (the snapshots of the last read) gives each worker's CPU use
 * between the two reads.
 */
export function aggregateDashboard(
  nodes: NodeSnapshot[],
  cluster: ClusterNumbers,
  matchWaits: MatchWaitHistogram,
  previous: NodeSnapshot[] = [],
  at = Date.now(),
): DashboardSnapshot {
  const before = new Map(previous.map((node) => [node.nodeId, node]));
  return {
    at,
    usersOnline: sum(nodes.map((n) => n.usersOnline)),
    sockets: sum(nodes.map((n) => n.sockets)),
    meetings: sumByMode(nodes, (n) => n.meetings),
    participants: sumByMode(nodes, (n) => n.participants),
    matchWaits,
    ...cluster,
    nodes: nodes.map((node) => {
      const earlier = before.get(node.nodeId);
      const seconds = earlier ? (node.at - earlier.at) / 1000 : 0;
      return {
        nodeId: node.nodeId,
        sockets: node.sockets,
        usersOnline: node.usersOnline,
        meetings: sum(MODES.map((mode) => node.meetings[mode])),
        participants: sum(MODES.map((mode) => node.participants[mode])),
        workers: node.workers.map((worker) => {
          const then = earlier?.workers.find((w) => w.pid === worker.pid);
          const cpuPercent = then && seconds > 0 ? Math.max(0, Math.round(((worker.cpuSeconds - then.cpuSeconds) / seconds) * 100)) : null;
          return { pid: worker.pid, routers: worker.routers, consumers: worker.consumers, cpuPercent };
        }),
      };
    }),
  };
}

/** Reads everything once: the nodes' snapshots, the service's numbers and the match waits. */
export async function readDashboard(redis: Redis, cluster: ClusterMetrics, previous: NodeSnapshot[] = []): Promise<{ snapshot: DashboardSnapshot; nodes: NodeSnapshot[] }> {
  const [nodes, numbers, matchWaits] = await Promise.all([readNodeSnapshots(redis), cluster.read(), readMatchWaits(redis)]);
  return { snapshot: aggregateDashboard(nodes, numbers, matchWaits, previous), nodes };
}
