import dgram from "node:dgram";
import net from "node:net";
import os from "node:os";

/**
 * Ports handed out by this process: a port handed out is closed again until its server binds it, and the system
 * may offer it to the next caller meanwhile (a web app and a realtime node started side by side once got the same
 * one), so it is never handed out twice, nor inside a node's run of media ports.
 */
const handedOut = new Set<number>();

/** A TCP port that is free on 127.0.0.1 right now and was not handed out before in this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await anyFreePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("no free TCP port on 127.0.0.1 that was not handed out already");
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function freeOn(protocol: "tcp" | "udp", port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === "tcp") {
      const server = net.createServer();
      server.unref();
      server.once("error", () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
      return;
    }
    const socket = dgram.createSocket("udp4");
    socket.unref();
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive ports free for both TCP and UDP on `host` right now: a realtime node's media
 * workers listen on MEDIA_PORT, MEDIA_PORT+1, … (one UDP and one TCP port each), so nodes sharing a machine
 * (tests, benchmarks, `npm run start:realtime`) each need a run of their own.
 */
export async function freePortRun(count: number, host = "127.0.0.1"): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await anyFreePort();
    if (first + count - 1 > 65535) continue;
    let free = true;
    for (let port = first; port < first + count && free; port++) {
      free = (await freeOn("tcp", port, host)) && (await freeOn("udp", port, host));
    }
    // checked after the awaits: a call running alongside may have taken part of this run meanwhile
    if (free && [...Array(count).keys()].every((i) => !handedOut.has(first + i))) {
      for (let i = 0; i < count; i++) handedOut.add(first + i);
      return first;
    }
  }
  throw new Error(`no run of ${count} free TCP+UDP ports found on ${host}`);
}

/**
 * MEDIA_PORT for one more realtime node on this machine: a run of free ports, one per media worker (MEDIA_WORKERS,
 * by default one per core as the node does). Nothing for a node without workers.
 */
export async function mediaPortEnv(workers: string | number | undefined, host = "127.0.0.1"): Promise<{ MEDIA_PORT?: string }> {
  const count = workers === undefined || workers === "" ? Math.max(1, os.cpus().length) : Number(workers);
  return count > 0 ? { MEDIA_PORT: String(await freePortRun(count, host)) } : {};
}

export function isPortOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}
