// The JSON every `npm run bench:<name>` prints as the last line of its stdout (COMMON14 "Benchmark JSON
// contract"): which benchmark, on which machine and when, its own results, the charts `npm run bench` draws, and
// the peer systems that could not run (with the reason, never an invented number).
import os from "node:os";
import { z } from "zod";

const axisSchema = z.object({ label: z.string().min(1), unit: z.string() });

export const chartSchema = z.object({
  title: z.string().min(1),
  x: axisSchema,
  y: axisSchema,
  series: z.array(
    z.object({
      system: z.string().min(1),
      /** [x, y] pairs; the writer draws them in x order */
      points: z.array(z.tuple([z.number().finite(), z.number().finite()])),
    }),
  ),
});
export type Chart = z.infer<typeof chartSchema>;

export const machineSchema = z.object({ cpus: z.number().int().positive(), model: z.string(), memGb: z.number().positive(), kernel: z.string() });
export type Machine = z.infer<typeof machineSchema>;

export const unavailableSchema = z.object({ system: z.string().min(1), reason: z.string().min(1) });

export const benchResultSchema = z.object({
  bench: z.string().min(1),
  machine: machineSchema,
  date: z.iso.datetime(),
  results: z.record(z.string(), z.unknown()),
  charts: z.array(chartSchema),
  unavailable: z.array(unavailableSchema).optional(),
});
export type BenchResult = z.infer<typeof benchResultSchema>;

/** This machine, as the contract describes it. */
export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? "unknown",
    memGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
  };
}

/** Prints the contract's object as one line on stdout (the last line a benchmark writes there). */
export function printBenchResult(result: Omit<BenchResult, "machine" | "date">): void {
  const full: BenchResult = {
    bench: result.bench,
    machine: machineInfo(),
    date: new Date().toISOString(),
    results: result.results,
    charts: result.charts,
    ...(result.unavailable ? { unavailable: result.unavailable } : {}),
  };
  process.stdout.write(`${JSON.stringify(benchResultSchema.parse(full))}\n`);
}
