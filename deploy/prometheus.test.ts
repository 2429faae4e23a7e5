// deploy/prometheus/ and deploy/grafana/ against Debian's promtool and our own registries: the configuration and the
// rules parse, every alert fires on a bad series and stays quiet on a good one (alerts.test.yml), and every metric
// the rules and dashboards read is one the servers export (a renamed metric would leave an alert silent forever).
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import { Histogram, type Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { PrismaClient } from "@qualmeet/db";
import { ensureDebianBinary } from "../scripts/lib/debianPackage.ts";
import { createClusterMetrics } from "../packages/api/src/metrics/clusterMetrics.ts";
import { createNodeMetrics } from "../packages/api/src/metrics/nodeMetrics.ts";
import { serviceMetrics } from "../packages/api/src/metrics/serviceMetrics.ts";

const dir = path.join(import.meta.dirname, "prometheus");
const grafanaDir = path.join(import.meta.dirname, "grafana", "dashboards");
const exec = promisify(execFile);
let promtool: string;
let scratch: string;

beforeAll(async () => {
  promtool = await ensureDebianBinary("promtool", "prometheus");
  scratch = mkdtempSync(path.join(tmpdir(), "qualmeet-prometheus-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (...args: string[]) => exec(promtool, args, { cwd: dir }).then(({ stdout, stderr }) => stdout + stderr);

/** Every metric name the registries export, with a histogram's _bucket, _sum and _count series. */
function exportedNames(): Set<string> {
  // nothing is collected: the registries only list their metrics, so no Redis or database is needed
  const noRedis = {} as Redis;
  const registries: Registry[] = [
    serviceMetrics().registry,
    createNodeMetrics("test-node", noRedis, { sockets: () => 0, usersOnline: () => 0, meetings: () => [], workers: async () => [] }).registry,
    createClusterMetrics({ db: {} as PrismaClient, redis: noRedis }).registry,
  ];
  const names = new Set<string>(["up"]);
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      const { name } = metric as unknown as { name: string };
      names.add(name);
      if (metric instanceof Histogram) for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    }
  }
  return names;
}

/** The metric names a PromQL expression reads (identifiers that are not functions, keywords or label names). */
const metricNamesIn = (expr: string) => [...expr.replace(/\{[^}]*\}/g, "").matchAll(/\b(qualmeet_[a-z_]+|process_[a-z_]+|up)\b(?!\s*\()/g)].map((m) => m[1]!);

describe("deploy/prometheus", () => {
  test("promtool accepts the configuration (its token file and rule files in place)", async () => {
    for (const file of ["alerts.yml", "prometheus.yml"]) copyFileSync(path.join(dir, file), path.join(scratch, file));
    const tokenFile = path.join(scratch, "metrics_token");
    writeFileSync(tokenFile, "a-token-of-at-least-16-characters");
    const config = path.join(scratch, "prometheus.yml");
    writeFileSync(config, readFileSync(config, "utf8").replaceAll("/run/secrets/metrics_token", tokenFile));
    expect(await run("check", "config", config)).toContain("SUCCESS");
  });

  test("promtool accepts the alert rules, and each alert fires on its bad series and stays quiet on its good one", async () => {
    expect(await run("check", "rules", "alerts.yml")).toContain("SUCCESS: 8 rules found");
    expect(await run("test", "rules", "alerts.test.yml")).toContain("SUCCESS");
    const rules = readFileSync(path.join(dir, "alerts.yml"), "utf8");
    const tested = readFileSync(path.join(dir, "alerts.test.yml"), "utf8");
    for (const [, alert] of rules.matchAll(/- alert: (\w+)/g)) expect(tested, `${alert} has a unit test`).toContain(`alertname: ${alert}`);
  });

  test("a broken rule test fails: an alert that does not fire on its bad series is reported", async () => {
    const broken = path.join(scratch, "broken.test.yml");
    copyFileSync(path.join(dir, "alerts.yml"), path.join(scratch, "alerts.yml"));
    writeFileSync(broken, readFileSync(path.join(dir, "alerts.test.yml"), "utf8").replace('values: "0+10x30"', 'values: "0+100x30"'));
    const failure = await exec(promtool, ["test", "rules", broken], { cwd: scratch }).then(
      () => null,
      (error: { stdout: string; stderr: string }) => error.stdout + error.stderr,
    );
    expect(failure).toContain("alertname: QualMeetSignalingSlow");
  });

  test("every metric the alerts and the Grafana dashboards read is exported by the servers", async () => {
    const exported = exportedNames();
    const rules = readFileSync(path.join(dir, "alerts.yml"), "utf8");
    const exprs = [...rules.matchAll(/expr: ([^\n|]+)|expr: \|\n((?: {10}.*\n)+)/g)].map((m) => m[1] ?? m[2]!);
    for (const file of readdirSync(grafanaDir)) {
      const dashboard = JSON.parse(readFileSync(path.join(grafanaDir, file), "utf8")) as { panels: Array<{ targets: Array<{ expr: string }> }> };
      exprs.push(...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    }
    expect(exprs.length).toBeGreaterThan(20);
    const used = new Set(exprs.flatMap(metricNamesIn));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    // the SLO metrics in particular
    for (const name of [
      "qualmeet_signaling_seconds_bucket",
      "qualmeet_ice_connections_total",
      "qualmeet_ice_failures_total",
      "qualmeet_random_match_wait_seconds_bucket",
      "qualmeet_chat_outbox_backlog",
      "process_start_time_seconds",
      "qualmeet_mediasoup_worker_deaths_total",
    ]) {
      expect(used, name).toContain(name);
    }
  });
});
