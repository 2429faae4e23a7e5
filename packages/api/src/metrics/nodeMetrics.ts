// One realtime node's counters: a prom-client registry whose gauges read the node's live state when collected
// (sockets, presence, the meetings whose media it owns, its mediasoup workers) plus the match latency histogram.
// Issue 14 serves this registry at /metrics; the dashboard reads the same registry through the node's snapshot.
import { Gauge, Registry } from "prom-client";
import { MatchWaitRecorder } from "./matchWaits.ts";
import type { Redis } from "ioredis";

export const MODES = ["P2P", "SFU"] as const;
export type MeetingMode = (typeof MODES)[number];
export type ByMode = Record<MeetingMode, number>;

export interface WorkerLoadSource {
  pid: number;
  routers: number;
  consumers: number;
  cpuMs: number;
}

/** Where a node's numbers come from (its services, read at collection time). */
export interface NodeMetricSources {
  /** open realtime sockets */
  sockets(): number;
  /** accounts and guests with at least one socket on this node */
  usersOnline(): number;
  /** the meetings whose media this node owns (MediaOwner.stats) */
  meetings(): { mode: MeetingMode; participants: number }[];
  /** the mediasoup workers (none without media) */
  workers(): Promise<WorkerLoadSource[]>;
}

export interface NodeSnapshot {
  nodeId: string;
  /** when it was read (ms) */
  at: number;
  sockets: number;
  usersOnline: number;
  meetings: ByMode;
  participants: ByMode;
  workers: { pid: number; routers: number; consumers: number; cpuSeconds: number }[];
}

export interface NodeMetrics {
  registry: Registry;
  matchWaits: MatchWaitRecorder;
  /** the registry's values, as the dashboard reads them */
  snapshot(): Promise<NodeSnapshot>;
}

export function createNodeMetrics(nodeId: string, redis: Redis, sources: NodeMetricSources): NodeMetrics {
  const registry = new Registry();
  const registers = [registry];
  const countByMode = (gauge: Gauge<"mode">, value: (meeting: { participants: number }) => number) => {
    gauge.reset();
    for (const mode of MODES) gauge.set({ mode }, 0);
    for (const meeting of sources.meetings()) gauge.inc({ mode: meeting.mode }, value(meeting));
  };
  new Gauge({ name: "qualmeet_sockets_open", help: "Open realtime sockets on this node", registers, collect: setTo(sources.sockets) });
  new Gauge({ name: "qualmeet_users_online", help: "Accounts and guests with a socket on this node", registers, collect: setTo(sources.usersOnline) });
  new Gauge({
    name: "qualmeet_meetings",
    help: "Meetings whose media this node owns, by mode",
    labelNames: ["mode"],
    registers,
    collect() {
      countByMode(this, () => 1);
    },
  });
  new Gauge({
    name: "qualmeet_meeting_participants",
    help: "Participants of the meetings this node owns, by mode",
    labelNames: ["mode"],
    registers,
    collect() {
      countByMode(this, (meeting) => meeting.participants);
    },
  });
  // one read of the workers serves the three per-worker gauges of a collection
  let workersRead: Promise<WorkerLoadSource[]> | null = null;
  const workers = () =>
    (workersRead ??= sources.workers().finally(() => {
      workersRead = null;
    }));
  const perWorker = (name: string, help: string, value: (w: WorkerLoadSource) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["pid"],
      registers,
      async collect() {
        this.reset();
        for (const w of await workers()) this.set({ pid: String(w.pid) }, value(w));
      },
    });
  perWorker("qualmeet_mediasoup_worker_routers", "Routers on each mediasoup worker of this node", (w) => w.routers);
  perWorker("qualmeet_mediasoup_worker_consumers", "Consumers on each mediasoup worker of this node", (w) => w.consumers);
  perWorker("qualmeet_mediasoup_worker_cpu_seconds", "CPU time (user + system) each mediasoup worker of this node has used", (w) => w.cpuMs / 1000);
  const matchWaits = new MatchWaitRecorder(registry, redis);

  return {
    registry,
    matchWaits,
    async snapshot() {
      const metrics = await registry.getMetricsAsJSON();
      const values = (name: string) => metrics.find((m) => m.name === name)?.values ?? [];
      const single = (name: string) => values(name)[0]?.value ?? 0;
      const byMode = (name: string) => Object.fromEntries(MODES.map((mode) => [mode, values(name).find((v) => v.labels.mode === mode)?.value ?? 0])) as ByMode;
      const perPid = (name: string) => new Map(values(name).map((v) => [Number(v.labels.pid), v.value]));
      const [routers, consumers, cpu] = ["routers", "consumers", "cpu_seconds"].map((what) => perPid(`qualmeet_mediasoup_worker_${what}`)) as [
        Map<number, number>,
        Map<number, number>,
        Map<number, number>,
      ];
      return {
        nodeId,
        at: Date.now(),
        sockets: single("qualmeet_sockets_open"),
        usersOnline: single("qualmeet_users_online"),
        meetings: byMode("qualmeet_meetings"),
        participants: byMode("qualmeet_meeting_participants"),
        workers: [...routers.keys()]
          .sort((a, b) => a - b)
          .map((pid) => ({ pid, routers: routers.get(pid) ?? 0, consumers: consumers.get(pid) ?? 0, cpuSeconds: cpu.get(pid) ?? 0 })),
      };
    },
  };
}

function setTo(read: () => number) {
  return function (this: Gauge) {
    this.set(read());
  };
}
