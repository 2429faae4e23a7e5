// The deployment files against the code, without Docker or a cluster (none here): every variable that
// docker-compose.yml and k8s/ give a server is one packages/config knows and accepts (its own schema parses them),
// the servers' required ones are set, and ports, probes, commands, images and nginx's upstreams agree with what
// the code listens on and serves. nginx itself runs for real in apps/web/e2e/nginx.e2e.ts.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import yaml from "js-yaml";
import { parseServerEnv, parseStartEnv, type ServerEnv } from "../packages/config/src/env.ts";
import { REALTIME_NODE_ENV, REALTIME_NODE_FLAGS } from "../scripts/lib/serverBuild.ts";

const deployDir = import.meta.dirname;
const root = path.resolve(deployDir, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** Variables a server container gets that are the runtime's, not QualMeet's configuration. */
const RUNTIME_VARIABLES = new Set(["NODE_ENV", ...Object.keys(REALTIME_NODE_ENV)]);

// ---- docker compose ----------------------------------------------------------------------------------------

/** deploy/.env.example, the values compose interpolates in this test. */
const exampleEnv = Object.fromEntries(
  read("deploy/.env.example")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);

/** Compose's `${VAR}`, `${VAR:?}`, `${VAR:-default}`, from .env.example; a variable it lacks fails the test. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::?[?-]([^}]*))?\}/g, (_all, name: string) => {
    const found = exampleEnv[name];
    if (found === undefined) throw new Error(`docker-compose.yml uses \${${name}}, which deploy/.env.example does not set`);
    return found;
  });
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  expose?: string[];
  ports?: string[];
  volumes?: string[];
  network_mode?: string;
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
}
const compose = yaml.load(read("deploy/docker-compose.yml")) as { services: Record<string, ComposeService> };
const services = compose.services;
const realtimeServices = Object.keys(services).filter((name) => /^realtime-\d+$/.test(name));

/** A compose service's environment, interpolated, parsed by packages/config (what the server would run with). */
function composeEnv(name: string): { raw: Record<string, string>; env: ServerEnv } {
  const raw = Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
  return { raw, env: parseServerEnv(raw as NodeJS.ProcessEnv) };
}

// ---- kubernetes --------------------------------------------------------------------------------------------

interface K8sContainer {
  name: string;
  image: string;
  command?: string[];
  ports?: Array<{ containerPort: number; hostPort?: number; protocol?: string }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: unknown; secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet?: { path: string; port: number } };
  livenessProbe?: { httpGet?: { path: string; port: number }; tcpSocket?: { port: number } };
  lifecycle?: { preStop?: { exec: { command: string[] } } };
}
interface K8sObject {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    selector?: Record<string, unknown>;
    ports?: Array<{ port: number; targetPort?: number }>;
    scaleTargetRef?: { kind: string; name: string };
    template?: { spec: { containers: K8sContainer[]; terminationGracePeriodSeconds?: number } };
  };
}
const k8sFiles = ["config.yaml", "web.yaml", "realtime.yaml", "redis.yaml"];
const k8s = k8sFiles.flatMap((file) => yaml.loadAll(read(`deploy/k8s/${file}`)) as K8sObject[]);
const k8sObject = (kind: string, name: string): K8sObject => {
  const found = k8s.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`deploy/k8s has no ${kind} ${name}`);
  return found;
};
const containerOf = (kind: string, name: string): K8sContainer => k8sObject(kind, name).spec!.template!.spec.containers[0]!;

/** A container's environment as the pod would have it (ConfigMap, Secret, values; the node's IP for fieldRefs). */
function k8sEnv<T extends object = ServerEnv>(
  container: K8sContainer,
  parse: (source: NodeJS.ProcessEnv) => T = parseServerEnv as unknown as (source: NodeJS.ProcessEnv) => T,
): { raw: Record<string, string>; env: T } {
  const raw: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(raw, k8sObject("ConfigMap", from.configMapRef.name).data);
    if (from.secretRef) Object.assign(raw, k8sObject("Secret", from.secretRef.name).stringData);
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) raw[entry.name] = entry.value;
    else if (entry.valueFrom?.secretKeyRef) raw[entry.name] = k8sObject("Secret", entry.valueFrom.secretKeyRef.name).stringData![entry.valueFrom.secretKeyRef.key]!;
    else if (entry.valueFrom?.fieldRef) raw[entry.name] = "192.0.2.10";
  }
  return { raw, env: parse(raw as NodeJS.ProcessEnv) };
}

// ---- nginx and the code --------------------------------------------------------------------------------------

const nginxConf = read("deploy/nginx/qualmeet.conf");
/** `server host:port` lines of an upstream block. */
function upstreamServers(name: string): Array<{ host: string; port: number }> {
  const block = nginxConf.match(new RegExp(`upstream ${name} \\{([^}]*)\\}`))?.[1];
  if (!block) throw new Error(`deploy/nginx/qualmeet.conf has no upstream ${name}`);
  return [...block.matchAll(/^\s*server\s+([^:\s]+):(\d+)/gm)].map((m) => ({ host: m[1]!, port: Number(m[2]) }));
}
const seconds = (directive: string, inside: string): number => Number(inside.match(new RegExp(`${directive}\\s+(\\d+)s;`))?.[1]);
const realtimeLocation = nginxConf.match(/location (\/\S+) \{([^}]*)\}/);

/** How long a draining realtime node may take before it exits anyway (apps/realtime/src/main.ts). */
const drainMs = Number(
  read("apps/realtime/src/main.ts")
    .match(/const force = setTimeout\([\s\S]*?\}, ([\d_]+)\);/)?.[1]
    ?.replace(/_/g, ""),
);

/**
 * `node [FLAGS] DIST_FILE`: the compiled entry point (no TypeScript loader) of SOURCE, built by the app's `build` task,
 * and what `npm start` runs for that role, with the V8 flags it runs that role with.
 */
function expectServerCommand(command: string[] | undefined, source: string, compiled: string, flags: string[] = []): void {
  expect(command?.slice(0, 2 + flags.length)).toEqual(["node", ...flags, compiled]);
  expect(existsSync(path.join(root, source))).toBe(true);
  // the app's build task compiles SOURCE into `compiled` (scripts/build-server.ts writes dist/<name>.js)
  const app = compiled.slice(0, compiled.indexOf("/dist/"));
  const build = (JSON.parse(read(`${app}/package.json`)) as { scripts: Record<string, string> }).scripts.build;
  expect(build).toContain(`scripts/build-server.ts ${path.relative(app, source)}`);
  expect(path.basename(compiled)).toBe(`${path.basename(source, ".ts")}.js`);
  // npm start (scripts/start.ts) starts the same compiled entry points (named in scripts/lib/serverBuild.ts)
  expect(read("scripts/lib/serverBuild.ts")).toContain(`"${compiled}"`);
}

/** Whether compose publishes `port` for `protocol` ("39000-39001:39000-39001/udp" or "39000:39000/udp"). */
function publishes(ports: string[] | undefined, port: number, protocol: "udp" | "tcp"): boolean {
  return (ports ?? []).some((spec) => {
    const [mapping, proto = "tcp"] = spec.split("/");
    const [host, container] = mapping!.split(":");
    const range = (r: string) => r.split("-").map(Number) as [number, number?];
    const [from, to = from] = range(container ?? host!);
    return proto === protocol && host === (container ?? host) && port >= from && port <= to;
  });
}

/** deploy/redis/redis.conf's directives, and what deploy/redis/sentinel.conf watches. */
const redisConf = (() => {
  const directives = new Map(
    read("deploy/redis/redis.conf")
      .split("\n")
      .filter((line) => /^[a-z]/.test(line))
      .map((line) => [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)] as const),
  );
  return { directives, port: Number(directives.get("port")) };
})();
const sentinelConf = (() => {
  const text = read("deploy/redis/sentinel.conf");
  const monitor = text.match(/^sentinel monitor (\S+) (\S+) (\d+) (\d+)$/m)!;
  return { port: Number(text.match(/^port (\d+)$/m)![1]), name: monitor[1]!, masterHost: monitor[2]!, masterPort: Number(monitor[3]), quorum: Number(monitor[4]) };
})();

describe("deploy/docker-compose.yml", () => {
  test("every variable a server gets is QualMeet's (packages/config parses it), with every required one set", () => {
    for (const name of ["web", ...realtimeServices]) {
      const { raw, env } = composeEnv(name);
      // the parsed configuration drops what it does not know
      for (const variable of Object.keys(raw)) if (!RUNTIME_VARIABLES.has(variable)) expect(Object.keys(env), `${name}: ${variable}`).toContain(variable);
    }
    // the migration job: the servers' database, and the first administrator's address
    const migrate = Object.fromEntries(Object.entries(services.migrate!.environment!).map(([k, v]) => [k, interpolate(String(v))]));
    const parsed = parseStartEnv(migrate as NodeJS.ProcessEnv);
    for (const variable of Object.keys(migrate)) expect(Object.keys(parsed), `migrate: ${variable}`).toContain(variable);
    expect(parsed.DATABASE_URL).toBe(composeEnv("web").env.DATABASE_URL);
  });

  test("web and realtime agree on the secrets and the public addresses; the pages' socket URL is nginx's realtime location", () => {
    const web = composeEnv("web").env;
    expect(realtimeServices.length).toBeGreaterThanOrEqual(2);
    for (const name of realtimeServices) {
      const node = composeEnv(name).env;
      for (const shared of ["NEXTAUTH_SECRET", "DATABASE_URL", "REDIS", "TURN_SECRET", "REALTIME_PUBLIC_URL", "NEXTAUTH_URL"] as const)
        expect(node[shared], `${name}: ${shared}`).toEqual(web[shared]);
      expect(node.ALLOWED_ORIGINS).toContain(new URL(web.NEXTAUTH_URL).origin);
    }
    expect(web.NEXTAUTH_URL).toMatch(/^https:/);
    const socket = new URL(web.REALTIME_PUBLIC_URL);
    expect(socket.protocol).toBe("wss:");
    expect(socket.host).toBe(new URL(web.NEXTAUTH_URL).host);
    expect(socket.pathname).toBe(realtimeLocation?.[1]);
  });

  test("ports: nginx's upstreams are the web and realtime services on the ports they listen on and are probed at", () => {
    const web = composeEnv("web").env;
    expect(upstreamServers("qualmeet_web")).toEqual([{ host: "web", port: web.PORT }]);
    expect(services.web!.expose).toEqual([String(web.PORT)]);
    expect(services.web!.healthcheck!.test.join(" ")).toContain(`http://127.0.0.1:${web.PORT}/api/health`);
    expect(existsSync(path.join(root, "apps/web/src/app/api/health/route.ts"))).toBe(true);
    expect(read("apps/realtime/src/server.ts")).toContain('=== "/healthz"');

    expect(upstreamServers("qualmeet_realtime")).toEqual(realtimeServices.map((name) => ({ host: name, port: composeEnv(name).env.REALTIME_PORT })));
    for (const name of realtimeServices) {
      const node = composeEnv(name).env;
      expect(services[name]!.expose).toEqual([String(node.REALTIME_PORT)]);
      expect(services[name]!.healthcheck!.test.join(" ")).toContain(`http://127.0.0.1:${node.REALTIME_PORT}/healthz`);
    }
  });

  test("media: each realtime node publishes its own MEDIA_PORT range (one port per worker, UDP and TCP), announced at the host", () => {
    const taken = new Map<number, string>();
    for (const name of realtimeServices) {
      const node = composeEnv(name).env;
      expect(node.MEDIA_WORKERS, `${name}: a fixed MEDIA_WORKERS, so the published range is known`).toBeGreaterThan(0);
      expect(node.MEDIA_ANNOUNCED_ADDRESS).toBe(exampleEnv.PUBLIC_IP);
      for (let port = node.MEDIA_PORT; port < node.MEDIA_PORT + node.MEDIA_WORKERS!; port++) {
        expect(publishes(services[name]!.ports, port, "udp"), `${name} publishes ${port}/udp`).toBe(true);
        expect(publishes(services[name]!.ports, port, "tcp"), `${name} publishes ${port}/tcp`).toBe(true);
        expect(taken.get(port), `media port ${port} of ${name}`).toBeUndefined();
        taken.set(port, name);
      }
    }
  });

  test("TURN: the URLs the servers hand out are coturn's ports, coturn on the host network with the same secret", () => {
    const web = composeEnv("web").env;
    const conf = read("deploy/coturn/turnserver.conf");
    const confPort = (key: string) => Number(conf.match(new RegExp(`^${key}=(\\d+)`, "m"))?.[1]);
    for (const url of web.TURN_URLS!) {
      const port = Number(url.match(/:(\d+)\?/)?.[1]);
      expect(port, url).toBe(url.startsWith("turns:") ? confPort("tls-listening-port") : confPort("listening-port"));
    }
    const coturn = services.coturn!;
    expect(coturn.network_mode).toBe("host");
    expect(interpolate(String(coturn.environment!.TURN_SECRET))).toBe(web.TURN_SECRET);
    expect(coturn.volumes).toContain("./coturn:/etc/qualmeet-coturn:ro");
    expect(coturn.entrypoint?.[1]).toBe("/etc/qualmeet-coturn/run.sh");
    expect(existsSync(path.join(deployDir, "coturn/run.sh"))).toBe(true);
  });

  test("commands are the product's entry points, images are the one built by deploy/Dockerfile, mounted files exist", () => {
    expectServerCommand(services.web!.command, "apps/web/server.ts", "apps/web/dist/server.js");
    for (const name of realtimeServices) expectServerCommand(services[name]!.command, "apps/realtime/src/main.ts", "apps/realtime/dist/main.js", REALTIME_NODE_FLAGS);
    // and with the environment npm start gives a realtime node (its malloc settings)
    for (const name of realtimeServices) expect(composeEnv(name).raw).toMatchObject(REALTIME_NODE_ENV);
    // `npm run db:migrate`
    expect(services.migrate!.command).toEqual(["node", "--import", "tsx", "scripts/migrate.ts"]);
    const npmScripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(npmScripts["db:migrate"]).toBe("node --import tsx scripts/migrate.ts");
    expect(existsSync(path.join(root, "scripts/migrate.ts"))).toBe(true);

    const dockerfile = read("deploy/Dockerfile");
    const image = dockerfile.match(/docker build -f deploy\/Dockerfile -t (\S+) \./)?.[1];
    for (const name of ["web", "migrate", ...realtimeServices]) {
      expect(services[name]!.image, name).toBe(image);
      expect(services[name]!.build).toEqual({ context: "..", dockerfile: "deploy/Dockerfile" });
    }
    // the image's Node is the one the project runs on
    const nodeMajor = (JSON.parse(read("package.json")) as { dependencies: Record<string, string> }).dependencies.node!.split(".")[0];
    expect(dockerfile).toMatch(new RegExp(`^FROM node:${nodeMajor}-`, "m"));
    expect(dockerfile).toContain('CMD ["node", "apps/web/dist/server.js"]');
    // the image holds both compiled servers
    expect(dockerfile).toMatch(/turbo run build --filter=@qualmeet\/web --filter=@qualmeet\/realtime/);

    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = interpolate(volume).split(":")[0]!;
        if (source.startsWith("./")) expect(existsSync(path.join(deployDir, source)), `${name}: ${source}`).toBe(true);
      }
    }
    const nginxVolumes = services.nginx!.volumes!;
    expect(nginxVolumes).toContain("./nginx/qualmeet.conf:/etc/nginx/conf.d/default.conf:ro");
    // the certificate paths in qualmeet.conf are inside the mounted TLS directory
    const tlsMount = nginxVolumes
      .map(interpolate)
      .find((v) => v.startsWith(`${exampleEnv.TLS_DIR}:`))!
      .split(":")[1];
    for (const file of nginxConf.matchAll(/ssl_certificate(?:_key)?\s+(\S+);/g)) expect(path.dirname(file[1]!)).toBe(tlsMount);
  });

  test("a draining node has the time it needs before Docker kills it", () => {
    expect(drainMs).toBeGreaterThan(0);
    for (const name of realtimeServices) expect(Number(services[name]!.stop_grace_period!.replace(/s$/, "")) * 1000, name).toBeGreaterThan(drainMs);
  });

  test("Prometheus scrapes /metrics of web and every realtime node on their ports, with the servers' METRICS_TOKEN", () => {
    const prometheus = yaml.load(read("deploy/prometheus/prometheus.yml")) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; metrics_path?: string; authorization: { credentials_file: string }; static_configs: Array<{ targets: string[] }> }>;
    };
    const job = (name: string) => prometheus.scrape_configs.find((c) => c.job_name === name)!;
    expect(job("qualmeet-web").static_configs.flatMap((c) => c.targets)).toEqual([`web:${composeEnv("web").env.PORT}`]);
    expect(job("qualmeet-realtime").static_configs.flatMap((c) => c.targets)).toEqual(realtimeServices.map((name) => `${name}:${composeEnv(name).env.REALTIME_PORT}`));
    const service = services.prometheus as ComposeService & { secrets?: string[] };
    expect(service.volumes).toContain("./prometheus:/etc/prometheus:ro");
    for (const config of prometheus.scrape_configs) {
      // the servers serve GET /metrics (metricsEndpoint.ts) and want this token when METRICS_TOKEN is set
      expect(config.metrics_path ?? "/metrics").toBe("/metrics");
      expect(config.authorization.credentials_file).toBe(`/run/secrets/${service.secrets![0]}`);
    }
    const secrets = (compose as unknown as { secrets: Record<string, { environment: string }> }).secrets;
    expect(secrets[service.secrets![0]!]!.environment).toBe("METRICS_TOKEN");
    for (const name of ["web", ...realtimeServices]) expect(composeEnv(name).env.METRICS_TOKEN, name).toBe(interpolate("${METRICS_TOKEN}"));
    for (const file of prometheus.rule_files) expect(existsSync(path.join(deployDir, "prometheus", file)), file).toBe(true);
    expect(services.grafana!.volumes).toEqual(
      expect.arrayContaining(["./grafana/provisioning:/etc/grafana/provisioning:ro", "./grafana/dashboards:/var/lib/grafana/dashboards:ro"]),
    );
  });

  test("Redis: the servers ask the three Sentinels, which run deploy/redis/sentinel.conf and watch the master its replicas follow", () => {
    const redis = composeEnv("web").env.REDIS;
    expect(redis).toMatchObject({ name: sentinelConf.name });
    const sentinels = "sentinels" in redis ? redis.sentinels : [];
    expect(sentinels).toHaveLength(3);
    for (const { host, port } of sentinels) {
      expect(port).toBe(sentinelConf.port);
      expect(services[host]?.command?.join(" "), host).toContain("cp /etc/qualmeet-redis/sentinel.conf /data/sentinel.conf; exec redis-sentinel /data/sentinel.conf");
      expect(services[host]!.volumes).toContain("./redis:/etc/qualmeet-redis:ro");
    }
    // the monitored master runs the shipped redis.conf on the port the Sentinels watch; two replicas follow it
    const master = services[sentinelConf.masterHost]!;
    expect(master.command?.join(" ")).toContain("exec redis-server /data/redis.conf");
    expect(redisConf.port).toBe(sentinelConf.masterPort);
    const replicas = Object.entries(services).filter(([, s]) => s.command?.join(" ").includes(`replicaof ${sentinelConf.masterHost} ${sentinelConf.masterPort}`));
    expect(replicas).toHaveLength(2);
    for (const [name, service] of [[sentinelConf.masterHost, master] as const, ...replicas]) {
      expect(service.command?.join(" "), name).toContain("cp /etc/qualmeet-redis/redis.conf /data/redis.conf");
      expect(service.volumes, name).toContain("./redis:/etc/qualmeet-redis:ro");
    }
  });
});

describe("deploy/redis", () => {
  test("AOF written every second, an RDB snapshot every 15 minutes, nothing evicted", () => {
    expect(redisConf.directives.get("appendonly")).toBe("yes");
    expect(redisConf.directives.get("appendfsync")).toBe("everysec");
    expect(redisConf.directives.get("save")).toBe("900 1");
    expect(redisConf.directives.get("maxmemory-policy")).toBe("noeviction");
    // a majority of the three Sentinels agrees on a failover
    expect(sentinelConf.quorum).toBe(2);
  });
});

describe("deploy/nginx/qualmeet.conf", () => {
  test("the realtime location upgrades, outlives the servers' ping, and retries a refused or draining node", () => {
    const block = realtimeLocation?.[2] ?? "";
    expect(block).toContain("proxy_pass http://qualmeet_realtime;");
    expect(block).toContain("proxy_set_header Upgrade $http_upgrade;");
    expect(block).toMatch(/proxy_set_header Connection \$\w+;/);
    expect(block).toMatch(/proxy_next_upstream[^;]*\berror\b[^;]*\bhttp_503\b/);
    const web = composeEnv("web").env;
    expect(seconds("proxy_read_timeout", block) * 1000).toBeGreaterThan(web.WS_PING_MS + web.WS_PONG_WAIT_MS);
    // the server answers a draining upgrade with the status nginx retries on
    expect(read("apps/realtime/src/server.ts")).toMatch(/if \(draining\) return refuse\(socket, 503,/);
  });
});

describe("deploy/k8s", () => {
  const web = containerOf("Deployment", "web");
  const realtime = containerOf("Deployment", "realtime");

  test("every variable the pods get is QualMeet's, with every required one set, the same secrets on both", () => {
    const webEnv = k8sEnv(web);
    const realtimeEnv = k8sEnv(realtime);
    for (const { raw, env } of [webEnv, realtimeEnv]) {
      for (const variable of Object.keys(raw)) if (!RUNTIME_VARIABLES.has(variable)) expect(Object.keys(env)).toContain(variable);
    }
    for (const shared of ["NEXTAUTH_SECRET", "DATABASE_URL", "REDIS", "REALTIME_PUBLIC_URL", "NEXTAUTH_URL"] as const) expect(realtimeEnv.env[shared]).toEqual(webEnv.env[shared]);
    expect(new URL(webEnv.env.REALTIME_PUBLIC_URL).pathname).toBe(realtimeLocation?.[1]);
    expect(realtimeEnv.env.ALLOWED_ORIGINS).toContain(new URL(webEnv.env.NEXTAUTH_URL).origin);
  });

  test("probes, ports and Services: readiness on /api/health and /healthz on the ports the servers listen on", () => {
    const webEnv = k8sEnv(web).env;
    const realtimeEnv = k8sEnv(realtime).env;
    expect(web.readinessProbe?.httpGet).toEqual({ path: "/api/health", port: webEnv.PORT });
    expect(web.livenessProbe?.tcpSocket?.port ?? web.livenessProbe?.httpGet?.port).toBe(webEnv.PORT);
    expect(web.ports?.[0]?.containerPort).toBe(webEnv.PORT);
    expect(realtime.readinessProbe?.httpGet).toEqual({ path: "/healthz", port: realtimeEnv.REALTIME_PORT });
    expect(realtime.livenessProbe?.tcpSocket?.port ?? realtime.livenessProbe?.httpGet?.port).toBe(realtimeEnv.REALTIME_PORT);
    expect(realtime.ports?.[0]?.containerPort).toBe(realtimeEnv.REALTIME_PORT);
    expect(k8sObject("Service", "web").spec!.ports![0]).toMatchObject({ targetPort: webEnv.PORT });
    expect(k8sObject("Service", "realtime").spec!.ports![0]).toMatchObject({ targetPort: realtimeEnv.REALTIME_PORT });
  });

  test("media ports: a hostPort for every worker's MEDIA_PORT, UDP and TCP", () => {
    const env = k8sEnv(realtime).env;
    expect(env.MEDIA_WORKERS).toBeGreaterThan(0);
    for (let port = env.MEDIA_PORT; port < env.MEDIA_PORT + env.MEDIA_WORKERS!; port++) {
      for (const protocol of ["UDP", "TCP"]) {
        expect(
          realtime.ports?.some((p) => p.containerPort === port && p.hostPort === port && (p.protocol ?? "TCP") === protocol),
          `${port}/${protocol}`,
        ).toBe(true);
      }
    }
  });

  test("a deleted realtime pod leaves the endpoints, then drains within its grace period; HPA and PDB target it", () => {
    const spec = k8sObject("Deployment", "realtime").spec!.template!.spec;
    const preStop = realtime.lifecycle?.preStop?.exec.command;
    expect(preStop?.[0]).toBe("sleep");
    expect((spec.terminationGracePeriodSeconds! - Number(preStop?.[1])) * 1000).toBeGreaterThan(drainMs);
    expect(k8sObject("HorizontalPodAutoscaler", "realtime").spec!.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "realtime" });
    expect(k8sObject("PodDisruptionBudget", "realtime").spec!.selector).toEqual({ matchLabels: { "app.kubernetes.io/name": "realtime" } });
  });

  test("Redis: the pods ask the Sentinel of each StatefulSet pod, configured by deploy/redis through the ConfigMap the README creates", () => {
    const redis = k8sEnv(realtime).env.REDIS;
    expect(redis).toMatchObject({ name: sentinelConf.name });
    const statefulSet = k8sObject("StatefulSet", "redis") as K8sObject & {
      spec: { replicas: number; serviceName: string; template: { spec: { volumes: Array<{ configMap?: { name: string } }> } } };
    };
    const pods = Array.from({ length: statefulSet.spec.replicas }, (_, i) => `redis-${i}.${statefulSet.spec.serviceName}`);
    expect("sentinels" in redis ? redis.sentinels : []).toEqual(pods.map((host) => ({ host, port: sentinelConf.port })));
    expect(statefulSet.spec.template.spec.volumes.map((v) => v.configMap?.name)).toContain("qualmeet-redis");
    expect(read("deploy/k8s/README.md")).toContain("kubectl create configmap qualmeet-redis --from-file=deploy/redis/");
    const [server, sentinel] = statefulSet.spec.template.spec.containers;
    expect(server!.command!.join(" ")).toContain("cp /etc/qualmeet-redis/redis.conf /data/redis.conf");
    expect(sentinel!.command!.join(" ")).toContain(`s/^sentinel monitor ${sentinelConf.name} .*/`);
  });

  test("commands and images are the product's, as in docker-compose.yml", () => {
    expectServerCommand(web.command, "apps/web/server.ts", "apps/web/dist/server.js");
    expectServerCommand(realtime.command, "apps/realtime/src/main.ts", "apps/realtime/dist/main.js", REALTIME_NODE_FLAGS);
    expect(k8sEnv(realtime).raw).toMatchObject(REALTIME_NODE_ENV);
    const job = containerOf("Job", "qualmeet-migrate");
    expect(job.command).toEqual(services.migrate!.command);
    const jobEnv = k8sEnv(job, parseStartEnv);
    for (const variable of Object.keys(jobEnv.raw)) expect(Object.keys(jobEnv.env)).toContain(variable);
    expect(jobEnv.env.DATABASE_URL).toBe(k8sEnv(web).env.DATABASE_URL);
    for (const container of [web, realtime, job]) expect(container.image).toBe(services.web!.image);
  });
});
