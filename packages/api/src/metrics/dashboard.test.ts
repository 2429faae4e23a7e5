import { describe, expect, test } from "vitest";
import type { Redis } from "ioredis";
import type { ClusterNumbers } from "./clusterMetrics.ts";
import { aggregateDashboard } from "./dashboard.ts";
import { bucketOf, sumMinutes } from "./matchWaits.ts";
import { createNodeMetrics, type NodeSnapshot } from "./nodeMetrics.ts";

const cluster: ClusterNumbers = { randomQueue: 3, randomActivePairs: 2, chatOutboxBacklog: 7, reportsWaiting: 1, oldestReportWaitSeconds: 90, turnConfigured: true };
const noWaits = sumMinutes([]);

function node(nodeId: string, at: number, over: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return { nodeId, at, sockets: 0, usersOnline: 0, meetings: { P2P: 0, SFU: 0 }, participants: { P2P: 0, SFU: 0 }, workers: [], ...over };
}

describe("the dashboard adds up the nodes", () => {
  test("totals are the sums of every node's counters, and each node is listed with its own", () => {
    const a = node("a", 1000, { sockets: 4, usersOnline: 3, meetings: { P2P: 2, SFU: 0 }, participants: { P2P: 5, SFU: 0 } });
    const b = node("b", 1000, { sockets: 6, usersOnline: 5, meetings: { P2P: 1, SFU: 1 }, participants: { P2P: 2, SFU: 9 } });
    const snapshot = aggregateDashboard([a, b], cluster, noWaits);
    expect(snapshot).toMatchObject({ sockets: 10, usersOnline: 8, meetings: { P2P: 3, SFU: 1 }, participants: { P2P: 7, SFU: 9 }, randomQueue: 3, turnConfigured: true });
    expect(snapshot.nodes.map((n) => [n.nodeId, n.meetings, n.participants])).toEqual([
      ["a", 2, 5],
      ["b", 2, 11],
    ]);
  });

  test("no node publishing: everything is zero", () => {
    expect(aggregateDashboard([], cluster, noWaits)).toMatchObject({ sockets: 0, usersOnline: 0, meetings: { P2P: 0, SFU: 0 }, participants: { P2P: 0, SFU: 0 }, nodes: [] });
  });

  test("a worker's CPU share is its CPU time between two reads over the time between them; unknown at first", () => {
    const first = node("a", 10_000, { workers: [{ pid: 7, routers: 1, consumers: 4, cpuSeconds: 20 }] });
    const second = node("a", 12_000, { workers: [{ pid: 7, routers: 1, consumers: 4, cpuSeconds: 21 }] });
    expect(aggregateDashboard([first], cluster, noWaits).nodes[0]!.workers[0]!.cpuPercent).toBeNull();
    expect(aggregateDashboard([second], cluster, noWaits, [first]).nodes[0]!.workers[0]!.cpuPercent).toBe(50);
  });
});

describe("match waits", () => {
  test("a wait falls in the first bucket whose bound holds it, past the last one in +Inf", () => {
    expect([0, 0.5, 0.51, 4.9, 300, 301].map(bucketOf)).toEqual(["0.5", "0.5", "1", "5", "300", "+Inf"]);
  });

  test("the minutes' bucket counts and sums add up", () => {
    const waits = sumMinutes([
      { "0.5": "2", sum: "400" },
      { "0.5": "1", "+Inf": "1", sum: "600600" },
    ]);
    expect(waits.count).toBe(4);
    expect(waits.sumSeconds).toBe(601);
    expect(waits.buckets[0]).toEqual({ le: 0.5, count: 3 });
    expect(waits.buckets.at(-1)).toEqual({ le: null, count: 1 });
  });
});

describe("a node's snapshot is read from its prom-client registry", () => {
  test("the gauges read the live sources when collected, by mode and by worker", async () => {
    let rooms: { mode: "P2P" | "SFU"; participants: number }[] = [{ mode: "P2P", participants: 2 }];
    const metrics = createNodeMetrics("n1", {} as Redis, {
      sockets: () => 5,
      usersOnline: () => 4,
      meetings: () => rooms,
      workers: async () => [{ pid: 42, routers: 1, consumers: 3, cpuMs: 1500 }],
    });
    expect(await metrics.snapshot()).toMatchObject({
      nodeId: "n1",
      sockets: 5,
      usersOnline: 4,
      meetings: { P2P: 1, SFU: 0 },
      participants: { P2P: 2, SFU: 0 },
      workers: [{ pid: 42, routers: 1, consumers: 3, cpuSeconds: 1.5 }],
    });
    rooms = [
      { mode: "SFU", participants: 6 },
      { mode: "SFU", participants: 1 },
    ];
    expect(await metrics.snapshot()).toMatchObject({ meetings: { P2P: 0, SFU: 2 }, participants: { P2P: 0, SFU: 7 } });
    // the same numbers as Prometheus text, for /metrics later
    const text = await metrics.registry.metrics();
    expect(text).toContain('qualmeet_meetings{mode="SFU"} 2');
    expect(text).toContain('qualmeet_mediasoup_worker_consumers{pid="42"} 3');
  });
});
