// Real nginx (Debian's package) in front of test servers: deploy/nginx/qualmeet.conf rendered with loopback
// ports and a self-signed certificate made here with openssl, run unprivileged-style from a temporary prefix
// (its own pid file, temp paths and logs on stderr) and stopped by PID. As root, nginx and openssl are installed
// with apt when missing, as scripts/lib/coturn.ts does for coturn.
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, isPortOpen } from "../../scripts/lib/ports.ts";
import { ensureDebianBinary } from "../../scripts/lib/debianPackage.ts";
import { run, runOrThrow } from "../../scripts/lib/run.ts";
import { repoRoot } from "./paths.ts";

export const NGINX_CONF = path.join(repoRoot, "deploy/nginx/qualmeet.conf");

export interface NginxProxy {
  /** https://localhost:PORT: the web app through nginx */
  httpsUrl: string;
  /** http://localhost:PORT: redirects to https */
  httpUrl: string;
  /** wss://localhost:PORT/realtime: REALTIME_PUBLIC_URL for the web app */
  realtimeUrl: string;
  /** the origin pages have (ALLOWED_ORIGINS of the realtime nodes) */
  origin: string;
  httpsPort: number;
  stop(): Promise<void>;
}

/** The ports and files qualmeet.conf is rendered with. */
export interface NginxTargets {
  httpPort: number;
  httpsPort: number;
  webPorts: number[];
  realtimePorts: number[];
  certFile: string;
  keyFile: string;
}

/** Replaces what `pattern` (global) matches, which must be `count` places, or says which part of the file moved. */
function replaceExactly(text: string, pattern: RegExp, replacement: string, what: string, count = 1): string {
  const found = text.match(pattern)?.length ?? 0;
  if (found !== count) throw new Error(`deploy/nginx/qualmeet.conf: expected ${count} ${what}, found ${found}: update tests/harness/nginx.ts with the file`);
  return text.replace(pattern, replacement);
}

/** Rewrites an upstream block's `server` lines to loopback ports, keeping each line's parameters. */
function renderUpstream(conf: string, name: string, ports: number[]): string {
  const block = new RegExp(`(upstream ${name} \\{\\n)([^}]*)\\}`);
  const match = conf.match(block);
  if (!match) throw new Error(`deploy/nginx/qualmeet.conf: no upstream ${name}`);
  const lines = match[2]!.split("\n");
  const servers = lines.filter((l) => /^\s*server\s/.test(l));
  if (servers.length === 0) throw new Error(`deploy/nginx/qualmeet.conf: upstream ${name} has no server line`);
  const params = servers[0]!.replace(/^\s*server\s+\S+/, "").replace(/;\s*$/, "");
  const rendered = [...lines.filter((l) => !/^\s*server\s/.test(l)), ...ports.map((p) => `    server 127.0.0.1:${p}${params};`)].filter((l) => l.trim() !== "");
  return conf.replace(block, `${match[1]}${rendered.join("\n")}\n}`);
}

/** deploy/nginx/qualmeet.conf for loopback: the same locations, headers and timeouts, other addresses. */
export function renderNginxConf(conf: string, targets: NginxTargets): string {
  let out = renderUpstream(conf, "qualmeet_web", targets.webPorts);
  out = renderUpstream(out, "qualmeet_realtime", targets.realtimePorts);
  out = replaceExactly(out, /listen 80;/g, `listen 127.0.0.1:${targets.httpPort};`, "`listen 80;`");
  out = replaceExactly(out, /\n\s*listen \[::\]:80;/g, "", "`listen [::]:80;`");
  out = replaceExactly(out, /listen 443 ssl http2;/g, `listen 127.0.0.1:${targets.httpsPort} ssl http2;`, "`listen 443 ssl http2;`");
  out = replaceExactly(out, /\n\s*listen \[::\]:443 ssl http2;/g, "", "`listen [::]:443 ssl http2;`");
  out = replaceExactly(out, /server_name meet\.example\.org;/g, "server_name localhost;", "server_name lines", 2);
  out = replaceExactly(out, /ssl_certificate\s+\S+;/g, `ssl_certificate ${targets.certFile};`, "ssl_certificate");
  out = replaceExactly(out, /ssl_certificate_key\s+\S+;/g, `ssl_certificate_key ${targets.keyFile};`, "ssl_certificate_key");
  return out;
}

/** nginx with qualmeet.conf in front of the given web and realtime ports, on free loopback ports. */
export async function startNginx(options: { webPorts: number[]; realtimePorts: number[]; httpsPort?: number }): Promise<NginxProxy> {
  const nginx = await ensureDebianBinary("nginx", "nginx");
  await ensureDebianBinary("openssl", "openssl");
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-nginx-"));
  // nginx's workers run as nobody when the master is root: they must reach the temp paths below
  await chmod(dir, 0o755);
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  let child: ChildProcess | null = null;
  try {
    await runOrThrow("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ]);
    const httpsPort = options.httpsPort ?? (await freePort());
    const httpPort = await freePort();
    const site = renderNginxConf(await readFile(NGINX_CONF, "utf8"), { httpPort, httpsPort, webPorts: options.webPorts, realtimePorts: options.realtimePorts, certFile, keyFile });
    await writeFile(path.join(dir, "qualmeet.conf"), site);
    // the main file Debian's /etc/nginx/nginx.conf would be, reduced to what the site needs, all paths in `dir`
    const main = [
      "worker_processes 1;",
      "events { worker_connections 1024; }",
      "http {",
      `  access_log off;`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${path.join(dir, `${kind}_temp`)};`),
      `  include ${path.join(dir, "qualmeet.conf")};`,
      "}",
    ].join("\n");
    await writeFile(path.join(dir, "nginx.conf"), main);
    const args = ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", `daemon off; pid ${path.join(dir, "nginx.pid")}; error_log stderr warn;`];
    const check = await run(nginx, ["-t", ...args]);
    if (check.code !== 0) throw new Error(`nginx refused the rendered deploy/nginx/qualmeet.conf:\n${check.stderr}`);
    const proc = spawn(nginx, args, { stdio: ["ignore", "ignore", process.env.TEST_SERVER_LOGS ? "inherit" : "pipe"] });
    child = proc;
    let stderr = "";
    proc.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    const deadline = Date.now() + 20_000;
    while (!(await isPortOpen(httpsPort, "127.0.0.1"))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start listening on ${httpsPort}:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const origin = `https://localhost:${httpsPort}`;
    return {
      httpsUrl: origin,
      httpUrl: `http://localhost:${httpPort}`,
      realtimeUrl: `wss://localhost:${httpsPort}/realtime`,
      origin,
      httpsPort,
      async stop() {
        // SIGQUIT: graceful shutdown of the master and its workers
        if (proc.exitCode === null) proc.kill("SIGQUIT");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (proc.exitCode === null) proc.kill("SIGKILL");
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
