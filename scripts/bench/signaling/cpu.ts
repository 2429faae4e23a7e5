// CPU time of the processes under test and of the whole machine, from /proc, per step.
import { readFileSync } from "node:fs";
import { CLK_TCK, procCpuMs } from "../procStats.ts";
import { round } from "./options.ts";

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The processes whose CPU a step reports, by group. */
export interface CpuGroups {
  nodes: number[];
  redis: number[];
  postgres: () => number[];
}
/** CPU time (ms) of the whole machine, all cores (busy = everything but idle and iowait). */
export function machineBusyMs(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLK_TCK;
}

export type CpuSnapshot = { at: number; nodes: number; redis: number; postgres: number; clients: number; machine: number };
export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const sum = (pids: number[]) => pids.reduce((n, pid) => n + procCpuMs(pid), 0);
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    nodes: sum(groups.nodes),
    redis: sum(groups.redis),
    postgres: sum(groups.postgres()),
    clients: (own.user + own.system) / 1000,
    machine: machineBusyMs(),
  };
}
/** CPU use between two snapshots, 100 = one core; `others` is what the rest of the machine used meanwhile. */
export function cpuPct(a: CpuSnapshot, b: CpuSnapshot) {
  const dt = (b.at - a.at) / 1000;
  const pct = (key: "nodes" | "redis" | "postgres" | "clients" | "machine") => round(Math.max(0, b[key] - a[key]) / 10 / dt);
  const result = { nodes: pct("nodes"), redis: pct("redis"), postgres: pct("postgres"), clients: pct("clients"), machine: pct("machine"), others: 0 };
  result.others = round(Math.max(0, result.machine - result.nodes - result.redis - result.postgres - result.clients));
  return result;
}
