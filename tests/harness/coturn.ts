// A real coturn for tests: installed from Debian when missing (as root), on loopback with free ports, a TLS
// listener with a self-signed certificate made at start, loopback peers allowed (this configuration only: the
// browsers and the SFU under test are all on 127.0.0.1). Stopped by PID.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { issueIceServers } from "../../packages/api/src/services/turnCredentials.ts";
import { startCoturnServer } from "../../scripts/lib/coturn.ts";
import { freePort, freePortRun } from "../../scripts/lib/ports.ts";
import { run, runOrThrow } from "../../scripts/lib/run.ts";

export interface TestCoturn {
  pid: number;
  host: string;
  port: number;
  tlsPort: number;
  /** the self-signed certificate of the TLS listener (PEM file), for clients that verify it */
  certFile: string;
  /** TURN_URLS for the servers under test: UDP, TCP and TLS */
  urls: string[];
  /** Stops and starts it again on the same ports: every allocation it held is gone (a TURN server's restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `relayPorts`: the size of its relay range; a test's few allocations fit in the default, a benchmark making many
 * calls one after the other asks for more.
 */
export async function startCoturn(options: { secret: string; realm?: string; relayPorts?: number }): Promise<TestCoturn> {
  const relayPorts = options.relayPorts ?? 16;
  const host = "127.0.0.1";
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-coturn-"));
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
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
    const [port, tlsPort, relayFirst] = [await freePort(), await freePort(), await freePortRun(relayPorts, host)];
    const config = {
      secret: options.secret,
      realm: options.realm,
      runtimeDir: dir,
      listenIp: host,
      port,
      tls: { port: tlsPort, cert: certFile, pkey: keyFile },
      relayPorts: { min: relayFirst, max: relayFirst + relayPorts - 1 },
      allowLoopbackPeers: true,
    };
    let server = await startCoturnServer(config);
    return {
      get pid() {
        return server.pid;
      },
      host,
      port,
      tlsPort,
      certFile,
      urls: [`turn:${host}:${port}?transport=udp`, `turn:${host}:${port}?transport=tcp`, `turns:localhost:${tlsPort}?transport=tcp`],
      async restart() {
        await server.stop();
        server = await startCoturnServer(config);
      },
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export type TurnTransport = "udp" | "tcp" | "tls";

/** The one URL of `coturn` that reaches it over `transport`: a browser given only it relays over that protocol. */
export function coturnUrl(coturn: Pick<TestCoturn, "urls">, transport: TurnTransport): string {
  const url = coturn.urls.find((u) => (transport === "tls" ? u.startsWith("turns:") : u.startsWith("turn:") && u.endsWith(`transport=${transport}`)));
  if (!url) throw new Error(`coturn has no ${transport} URL: ${coturn.urls.join(", ")}`);
  return url;
}

/**
 * coturn's own client (turnutils_uclient, independent of the browsers) allocates two relays with these credentials
 * and sends a couple of packets between them (-y: client to client, -c: no RTCP pair). `ok` when it could.
 */
export async function turnAllocate(server: { host: string; port: number }, transport: TurnTransport, credentials: { username: string; credential: string }) {
  const flags = { udp: [], tcp: ["-t"], tls: ["-t", "-S"] }[transport];
  const args = [...flags, "-y", "-c", "-n", "2", "-u", credentials.username, "-w", credentials.credential, "-p", String(server.port), server.host];
  const result = await run("turnutils_uclient", args, { timeout: 30_000 });
  return { ok: result.code === 0, output: result.stdout + result.stderr };
}

/**
 * The TURN credential the product issues to `userId` for these URLs and secret (issueIceServers, its daily quota
 * counted in `redis`), as of `nowMs`: what a browser in a meeting is handed.
 */
export async function issuedTurnCredential(redis: Redis, userId: string, turn: { urls: string[]; secret: string }, nowMs = Date.now()) {
  const settings = { turnUrls: turn.urls, secret: turn.secret, stunUrls: undefined, ttlS: 3600, dailyQuota: 100 };
  const grant = await issueIceServers(redis, userId, nowMs, settings);
  const server = grant.iceServers.find((entry) => entry.credential);
  if (!server) throw new Error(`no TURN server was issued: ${JSON.stringify(grant)}`);
  return { urls: server.urls, username: server.username!, credential: server.credential! };
}
