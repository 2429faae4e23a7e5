// CPU pinning for the benchmarks: on 2 cores the load generator saturates before the SFU, so the SFU and
// the generator run on different cores and the SFU's CPU is read from /proc/<pid>/stat.
import { runOrThrow } from "../lib/run.ts";

/** Pins every thread of `pid` to the taskset core list `cores` ("0", "1", "0-1"); "" leaves it alone. */
export async function pinToCores(pid: number, cores: string): Promise<void> {
  if (cores === "") return;
  await runOrThrow("taskset", ["--all-tasks", "--cpu-list", "--pid", cores, String(pid)]);
}
