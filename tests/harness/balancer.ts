// A small TCP load balancer in front of several realtime nodes, for tests where a browser's socket must land on
// whichever node is alive (as behind nginx or an L4 balancer): each new connection goes to the next node in
// turn; a node that refuses the connection (killed) or answers the upgrade with 503 (draining) is skipped and
// the request replayed on the next one. Tests may pin new connections to one node and cut the connections
// going to a node (a client's network dropping).
import net from "node:net";

export interface Balancer {
  /** ws://localhost:PORT, the address pages are given (REALTIME_PUBLIC_URL) */
  wsUrl: string;
  port: number;
  /** New connections try this target port first (null: round-robin). */
  prefer(port: number | null): void;
  /** Ports of the open connections' targets, one entry per connection. */
  openTargets(): number[];
  /**
   * Destroys every open connection to `port` (the client sees its socket drop) and refuses every new
   * connection for `forMs` (the client's network is down meanwhile).
   */
  cut(port: number, forMs: number): void;
  stop(): Promise<void>;
}

/** How long to wait for a target to accept a connection before trying the next one. */
const CONNECT_TIMEOUT_MS = 1000;
/** How much of a client's first request is kept to replay on another target. */
const MAX_REPLAY_BYTES = 64 * 1024;

export async function startBalancer(targets: number[], host = "127.0.0.1"): Promise<Balancer> {
  let next = 0;
  let preferred: number | null = null;
  let refuseUntil = 0;
  const open = new Map<net.Socket, { client: net.Socket; target: number }>();

  /** Target ports in the order a new connection tries them. */
  function order(): number[] {
    const start = next++ % targets.length;
    const rotated = [...targets.slice(start), ...targets.slice(0, start)];
    return preferred !== null && targets.includes(preferred) ? [preferred, ...rotated.filter((p) => p !== preferred)] : rotated;
  }

  function handle(client: net.Socket): void {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    client.pause();
    client.on("error", () => client.destroy());
    const sent: Buffer[] = [];
    let sentBytes = 0;
    let upstream: net.Socket | null = null;
    let answered = false;
    const candidates = order();
    client.on("data", (chunk: Buffer) => {
      // kept until a target answers, to replay elsewhere if it turns the request down
      if (!answered && sentBytes + chunk.length <= MAX_REPLAY_BYTES) {
        sent.push(chunk);
        sentBytes += chunk.length;
      }
      upstream?.write(chunk);
    });
    client.on("close", () => {
      open.delete(client);
      upstream?.destroy();
    });

    const tryTarget = (index: number): void => {
      const target = candidates[index];
      if (target === undefined || client.destroyed) {
        client.destroy();
        return;
      }
      const socket = net.connect({ host, port: target });
      socket.setNoDelay(true);
      let failed = false;
      const timer = setTimeout(() => socket.destroy(), CONNECT_TIMEOUT_MS);
      /** refused, timed out, closed or turned down before answering: the next target */
      const fail = () => {
        if (failed || answered) return;
        failed = true;
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on("error", () => {});
        socket.destroy();
        if (upstream === socket) upstream = null;
        tryTarget(index + 1);
      };
      socket.on("error", fail);
      socket.on("close", () => (answered ? client.destroy() : fail()));
      socket.once("connect", () => {
        clearTimeout(timer);
        upstream = socket;
        for (const chunk of sent) socket.write(chunk);
        client.resume();
      });
      socket.on("data", (chunk: Buffer) => {
        if (!answered) {
          // a draining node refuses upgrades with 503: the next node takes the request
          if (chunk.subarray(0, 12).toString("latin1") === "HTTP/1.1 503" && index + 1 < candidates.length) return fail();
          answered = true;
          open.set(client, { client, target });
        }
        client.write(chunk);
      });
      socket.on("end", () => (answered ? client.end() : fail()));
    };
    tryTarget(0);
  }

  const server = net.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    wsUrl: `ws://localhost:${port}`,
    port,
    prefer(target) {
      preferred = target;
    },
    openTargets: () => [...open.values()].map((c) => c.target),
    cut(target, forMs) {
      refuseUntil = Date.now() + forMs;
      for (const { client, target: t } of [...open.values()]) if (t === target) client.destroy();
    },
    async stop() {
      for (const { client } of open.values()) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
