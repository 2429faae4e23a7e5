// Janus VideoRoom from Debian for bench:sfu's side-by-side run: a configuration written to a temporary
// folder per run (its own HTTP port and RTP ports, only the videoroom plugin and the HTTP transport),
// started and stopped by PID, and its HTTP API behind the WebRTC load's SfuSignaling.
// Janus 1.1.2 gathers no candidates on a loopback interface: an LD_PRELOAD wrapper of getifaddrs() clears
// IFF_LOOPBACK, compiled with gcc at run time into the per-machine cache (~/.cache/qualmeet/), never committed.
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensureDebianBinary } from "../lib/debianPackage.ts";
import { freePort } from "../lib/ports.ts";
import { runOrThrow } from "../lib/run.ts";
import type { SfuSignaling } from "./webrtcLoad.ts";

const LIB = "/usr/lib/x86_64-linux-gnu/janus";

const LOOPBACK_WRAPPER = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
int getifaddrs(struct ifaddrs **ifap) {
  static int (*real)(struct ifaddrs **) = 0;
  if (!real) real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
  int result = real(ifap);
  if (result == 0)
    for (struct ifaddrs *i = *ifap; i; i = i->ifa_next) i->ifa_flags &= ~IFF_LOOPBACK;
  return result;
}
`;

/** The getifaddrs wrapper, compiled once per machine (keyed by its source). */
async function loopbackWrapper(): Promise<string> {
  const dir = path.join(os.homedir(), ".cache", "qualmeet");
  const library = path.join(dir, `janus-loopback-${createHash("sha256").update(LOOPBACK_WRAPPER).digest("hex").slice(0, 12)}.so`);
  if (existsSync(library)) return library;
  await ensureDebianBinary("gcc", "gcc");
  await mkdir(dir, { recursive: true });
  const source = `${library}.c`;
  await writeFile(source, LOOPBACK_WRAPPER);
  await runOrThrow("gcc", ["-shared", "-fPIC", "-O2", "-o", library, source, "-ldl"]);
  return library;
}

export interface JanusServer {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts Janus with only VideoRoom and HTTP on loopback; eventLoops 0 keeps Janus's default (a thread per handle). */
export async function startJanus(options: { eventLoops: number; log: (line: string) => void }): Promise<JanusServer> {
  const binary = await ensureDebianBinary("janus", "janus", { log: options.log });
  const preload = await loopbackWrapper();
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-janus-"));
  const folders = { conf: path.join(dir, "conf"), plugins: path.join(dir, "plugins"), transports: path.join(dir, "transports"), empty: path.join(dir, "empty") };
  for (const folder of Object.values(folders)) await mkdir(folder);
  await symlink(path.join(LIB, "plugins", "libjanus_videoroom.so"), path.join(folders.plugins, "libjanus_videoroom.so"));
  await symlink(path.join(LIB, "transports", "libjanus_http.so"), path.join(folders.transports, "libjanus_http.so"));
  const port = await freePort();
  const rtpStart = 30000 + Math.floor(Math.random() * 200) * 100;
  await writeFile(
    path.join(folders.conf, "janus.jcfg"),
    `general: {
  configs_folder = "${folders.conf}"
  plugins_folder = "${folders.plugins}"
  transports_folder = "${folders.transports}"
  events_folder = "${folders.empty}"
  loggers_folder = "${folders.empty}"
  debug_level = 3
${options.eventLoops > 0 ? `  event_loops = ${options.eventLoops}\n` : ""}}
media: {
  rtp_port_range = "${rtpStart}-${rtpStart + 1999}"
}
nat: {
  ice_enforce_list = "lo"
}
`,
  );
  await writeFile(
    path.join(folders.conf, "janus.transport.http.jcfg"),
    `general: {\n  base_path = "/janus"\n  http = true\n  port = ${port}\n  ip = "127.0.0.1"\n  https = false\n}\nadmin: {\n  admin_http = false\n  admin_https = false\n}\n`,
  );
  await writeFile(path.join(folders.conf, "janus.plugin.videoroom.jcfg"), "general: {\n}\n");
  const child = spawn(binary, ["-C", path.join(folders.conf, "janus.jcfg"), "-F", folders.conf, "-P", folders.plugins], {
    env: { ...process.env, LD_PRELOAD: preload },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/janus`;
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`janus exited with ${child.exitCode} at start:\n${output}`);
    const ok = await fetch(`${url}/info`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`janus did not answer on ${url} within 15 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  options.log(`janus ${child.pid} on ${url}${options.eventLoops > 0 ? ` with event_loops = ${options.eventLoops}` : " (defaults)"}`);
  return { pid: child.pid!, url, stop };
}

interface JanusEvent {
  janus: string;
  sender?: number;
  transaction?: string;
  data?: { id: number };
  plugindata?: { data: Record<string, unknown> };
  jsep?: { type: string; sdp: string };
  error?: { code: number; reason: string };
}

/** A Janus session over the HTTP API, with one long-poll loop routing events to their handles. */
class JanusSession {
  readonly #waiters = new Map<number, Array<{ match: (e: JanusEvent) => boolean; resolve: (e: JanusEvent) => void }>>();
  #closed = false;

  private constructor(
    readonly url: string,
    readonly id: number,
  ) {}

  static async create(url: string): Promise<JanusSession> {
    const session = new JanusSession(url, (await post(url, { janus: "create" })).data!.id);
    void session.#poll();
    return session;
  }

  async attach(): Promise<number> {
    return (await post(`${this.url}/${this.id}`, { janus: "attach", plugin: "janus.plugin.videoroom" })).data!.id;
  }

  /** Sends a plugin message; with `awaitEvent`, resolves with the handle's next event carrying plugin data. */
  async message(handle: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }, awaitEvent = true): Promise<JanusEvent> {
    const event = awaitEvent ? this.#next(handle, (e) => e.janus === "event" && e.plugindata !== undefined) : null;
    const reply = await post(`${this.url}/${this.id}/${handle}`, { janus: "message", body, ...(jsep ? { jsep } : {}) });
    if (!event) return reply;
    const result = await event;
    const error = result.plugindata?.data.error;
    if (typeof error === "string") throw new Error(`janus videoroom ${String(body.request)}: ${error}`);
    return result;
  }

  #next(handle: number, match: (e: JanusEvent) => boolean): Promise<JanusEvent> {
    return new Promise((resolve) => {
      const list = this.#waiters.get(handle) ?? [];
      list.push({ match, resolve });
      this.#waiters.set(handle, list);
    });
  }

  async #poll(): Promise<void> {
    while (!this.#closed) {
      // a long poll cut by Janus stopping (close() after the run) ends the loop; until then it polls again
      const body = await fetch(`${this.url}/${this.id}?maxev=20&rid=${Date.now()}`)
        .then((response) => response.json() as Promise<JanusEvent | JanusEvent[]>)
        .catch(() => null);
      if (!body) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      for (const event of Array.isArray(body) ? body : [body]) {
        const list = event.sender !== undefined ? this.#waiters.get(event.sender) : undefined;
        const index = list?.findIndex((w) => w.match(event)) ?? -1;
        if (index >= 0) list!.splice(index, 1)[0]!.resolve(event);
      }
    }
  }

  close(): void {
    this.#closed = true;
  }
}

async function post(url: string, body: Record<string, unknown>): Promise<JanusEvent> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify({ ...body, transaction: randomUUID() }) });
  const reply = (await response.json()) as JanusEvent;
  if (reply.janus === "error") throw new Error(`janus ${String(body.janus)}: ${reply.error?.code} ${reply.error?.reason}`);
  return reply;
}

/** Signaling of the WebRTC load into one VideoRoom room: a publisher handle, one subscriber handle each. */
export async function janusSignaling(url: string): Promise<SfuSignaling> {
  const session = await JanusSession.create(url);
  const room = 4242;
  const admin = await session.attach();
  await session.message(admin, { request: "create", room, publishers: 4, bitrate: 0, videocodec: "vp8" }, undefined, false);
  let feed: number | null = null;
  return {
    async publish(offerSdp) {
      const handle = await session.attach();
      const event = await session.message(handle, { request: "joinandconfigure", room, ptype: "publisher", audio: false, video: true }, { type: "offer", sdp: offerSdp });
      feed = Number(event.plugindata!.data.id);
      if (!event.jsep) throw new Error("janus answered the publisher without SDP");
      return event.jsep.sdp;
    },
    async subscribe() {
      if (feed === null) throw new Error("subscribe before publish");
      const handle = await session.attach();
      // the feed exists once Janus has the publisher's media (a moment after its ICE and DTLS)
      let event: JanusEvent | undefined;
      for (let attempt = 0; !event; attempt++) {
        event = await session.message(handle, { request: "join", room, ptype: "subscriber", streams: [{ feed }] }).catch(async (error: unknown) => {
          if (attempt >= 50 || !String(error).includes("No such feed")) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return undefined;
        });
      }
      if (!event.jsep) throw new Error("janus offered the subscriber no SDP");
      return {
        offerSdp: event.jsep.sdp,
        async answer(answerSdp) {
          await session.message(handle, { request: "start", room }, { type: "answer", sdp: answerSdp });
        },
      };
    },
  };
}
