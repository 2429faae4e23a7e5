// coturn for `npm start` and the tests: `turnserver` from PATH (installed with apt when missing and possible),
// started with a configuration written next to its data (mode 600: it holds the shared secret) and stopped by PID.
// Production runs it with deploy/coturn/ instead.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isPortOpen } from "./ports.ts";
import { ensureDebianBinary } from "./debianPackage.ts";
import { commandExists, isRoot } from "./run.ts";

export const COTURN_INSTALL_HINT = "Install coturn with `sudo apt-get install -y coturn` (Debian/Ubuntu), or point QualMeet at a TURN server with TURN_URLS and TURN_SECRET.";

/** `turnserver`, installed with apt as root when missing; null (with the hint logged by the caller) when it cannot be. */
export async function ensureTurnserverBinary(log: (line: string) => void = () => {}): Promise<string | null> {
  if (!(await commandExists("turnserver")) && (!isRoot() || !(await commandExists("apt-get")))) return null;
  return ensureDebianBinary("turnserver", "coturn", { log, hint: COTURN_INSTALL_HINT });
}

export interface CoturnOptions {
  /** static-auth-secret shared with the servers that issue credentials */
  secret: string;
  /** where the configuration (with the secret) and the PID file go */
  runtimeDir: string;
  listenIp: string;
  port: number;
  /** TURN over TLS on this port with this certificate and key (PEM); none: no TLS/DTLS listener */
  tls?: { port: number; cert: string; pkey: string };
  relayPorts: { min: number; max: number };
  /** peers on 127.0.0.0/8 and ::1: only for a coturn listening on loopback itself (tests, a machine without a LAN) */
  allowLoopbackPeers: boolean;
  realm?: string;
  log?: (line: string) => void;
}

export interface CoturnServer {
  pid: number;
  listenIp: string;
  port: number;
  tlsPort: number | null;
  stop(): Promise<void>;
}

/**
 * The turnserver.conf lines for these options: deploy/coturn's hardening minus the denied peer ranges and minus
 * `no-tlsv1`/`no-tlsv1_1` (coturn 4.6.1 then negotiates TLS 1.3, after whose handshake turnutils_uclient, the
 * tests' independent client, hangs; browsers do not).
 */
export function coturnConfig(options: CoturnOptions): string {
  const lines = [
    "use-auth-secret",
    `static-auth-secret=${options.secret}`,
    `realm=${options.realm ?? "qualmeet"}`,
    `listening-ip=${options.listenIp}`,
    `relay-ip=${options.listenIp}`,
    `listening-port=${options.port}`,
    ...(options.tls ? [`tls-listening-port=${options.tls.port}`, `cert=${options.tls.cert}`, `pkey=${options.tls.pkey}`] : ["no-tls", "no-dtls"]),
    `min-port=${options.relayPorts.min}`,
    `max-port=${options.relayPorts.max}`,
    "user-quota=30",
    "total-quota=1200",
    "fingerprint",
    "no-cli",
    "no-multicast-peers",
    "no-software-attribute",
    ...(options.allowLoopbackPeers ? ["allow-loopback-peers"] : []),
    `pidfile=${path.join(options.runtimeDir, "turnserver.pid")}`,
    "log-file=stdout",
    "simple-log",
  ];
  return lines.join("\n") + "\n";
}

export async function startCoturnServer(options: CoturnOptions): Promise<CoturnServer> {
  const binary = await ensureTurnserverBinary(options.log);
  if (!binary) throw new Error(`turnserver is not installed. ${COTURN_INSTALL_HINT}`);
  await mkdir(options.runtimeDir, { recursive: true, mode: 0o700 });
  const configFile = path.join(options.runtimeDir, "turnserver.conf");
  await writeFile(configFile, coturnConfig(options), { mode: 0o600 });
  const child = spawn(binary, ["-c", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };
  // ready once its TCP listeners accept (the UDP one opens at the same time)
  const deadline = Date.now() + 15_000;
  while (!(await isPortOpen(options.port, options.listenIp)) || (options.tls && !(await isPortOpen(options.tls.port, options.listenIp)))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`turnserver did not start on ${options.listenIp}:${options.port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid!, listenIp: options.listenIp, port: options.port, tlsPort: options.tls?.port ?? null, stop };
}

/** The address a local coturn serves on: the machine's LAN address (browsers on other machines reach it), else loopback. */
export function localTurnAddress(announced: string | undefined): string {
  if (announced && /^\d+\.\d+\.\d+\.\d+$/.test(announced)) return announced;
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === "IPv4" && !address.internal) return address.address;
  }
  return "127.0.0.1";
}

/** The TURN secret generated on the first start and kept in .data/ (mode 600), like the session secret. */
async function localTurnSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "turn-secret");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/**
 * `npm start` without TURN_URLS/TURN_SECRET: a coturn of its own on 3478 (UDP and TCP; no TLS, browsers would not
 * trust a self-signed certificate) with its relay range 50000-59999 beside the SFU's ports. A development machine:
 * peers on the LAN are allowed, loopback peers only when the server itself is on loopback. Null, with the reason
 * logged, when it cannot run: the product works without TURN on a LAN.
 */
export async function startLocalCoturn(options: {
  dataDir: string;
  address: string;
  log: (line: string) => void;
}): Promise<{ urls: string[]; secret: string; stop(): Promise<void> } | null> {
  const { address, log } = options;
  try {
    return await startCoturnOn(address, options.dataDir, log);
  } catch (error) {
    // the product works without it: say why, and carry on
    log(`TURN is not configured: coturn did not start: ${error instanceof Error ? error.message : error}`);
    return null;
  }
}

async function startCoturnOn(address: string, dataDir: string, log: (line: string) => void): Promise<{ urls: string[]; secret: string; stop(): Promise<void> } | null> {
  const binary = await ensureTurnserverBinary(log);
  if (!binary) {
    log(`TURN is not configured: turnserver is not installed. ${COTURN_INSTALL_HINT}`);
    return null;
  }
  const port = 3478;
  if (await isPortOpen(port, address)) {
    log(`TURN is not configured: port ${port} on ${address} is taken (another coturn?). Point TURN_URLS and TURN_SECRET at it to use it.`);
    return null;
  }
  const secret = await localTurnSecret(dataDir);
  const server = await startCoturnServer({
    secret,
    runtimeDir: path.join(dataDir, "coturn"),
    listenIp: address,
    port,
    relayPorts: { min: 50_000, max: 59_999 },
    allowLoopbackPeers: address.startsWith("127."),
    log,
  });
  return { urls: [`turn:${address}:${port}?transport=udp`, `turn:${address}:${port}?transport=tcp`], secret, stop: () => server.stop() };
}
