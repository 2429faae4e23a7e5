// The realtime node: tRPC over WebSocket (cookie-authenticated, Origin-checked), presence in Redis,
// revocation of open sockets, and /healthz. `main.ts` wires it to the process.
import http from "node:http";
import type { Duplex } from "node:stream";
import { randomUUID } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import { SESSION_REVOKED_CHANNEL, clientIp, createContext, createRedis, identifySocket, isRedisUp, serverEnv, type SessionRevokedEvent, type SocketIdentity } from "@qualmeet/api";
import { Bus, MediaOwner, PresenceRegistry, MeetingEventLog, MeetingService, consumeToken, realtimeRouter } from "@qualmeet/api/realtime";
import { createDb, isDatabaseUp } from "@qualmeet/db";
import { WorkerPool } from "@qualmeet/media";
import { applyTrpcSocketHandler } from "./trpcSocket.ts";
import { batchRedisWrites } from "./writeBatching.ts";

export interface RealtimeConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
}

// Open sockets are re-checked against the database this often, in case a revocation event was missed.
const REVALIDATE_MS = 60_000;
const CLOSE_SESSION_ENDED = 4401;

export async function startRealtimeServer(config: RealtimeConfig) {
  const nodeId = randomUUID();
  const db = createDb(config.databaseUrl);
  const redis = createRedis(config.redisUrl, `qualmeet-realtime-${nodeId}`);
  // every call and room event costs Redis commands: the ones issued in one event-loop turn go out in one write
  batchRedisWrites(redis);
  const bus = new Bus(config.redisUrl, redis);
  const presence = new PresenceRegistry(redis, bus, nodeId);
  const meetingEvents = new MeetingEventLog(redis, bus);
  // Without a mediasoup worker the node still serves chat and presence; joining a meeting says media is unavailable.
  const pool = await WorkerPool.create({ numWorkers: process.env.MEDIA_WORKERS ? Number(process.env.MEDIA_WORKERS) : undefined }).catch((error: unknown) => {
    console.error(`realtime: media server unavailable: ${error instanceof Error ? error.message : error}`);
    return null;
  });
  const meetings = new MeetingService({
    db,
    redis,
    bus,
    nodeId,
    createLocal: (probe) => new MediaOwner({ db, redis, pool, nodeId, log: meetingEvents, probe }),
    watchMeeting: (meetingId, onEvent) => meetingEvents.watch(meetingId, onEvent),
  });
  const services = { nodeId, bus, presence, meetings, meetingEvents };
  const connections = new WeakMap<http.IncomingMessage, SocketIdentity>();
  const socketsByUser = new Map<string, Set<{ ws: WebSocket; connection: SocketIdentity }>>();
  const allowedOrigins = new Set(serverEnv.allowedOrigins);

  const server = http.createServer(async (req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === "/healthz") {
      const [database, redisUp] = await Promise.all([isDatabaseUp(db), isRedisUp(redis)]);
      const ok = database && redisUp;
      const media = pool ? { status: "up", workers: await pool.loads(), rooms: meetings.local.stats() } : { status: "unavailable", rooms: meetings.local.stats() };
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ status: ok ? "ok" : "degraded", database: database ? "up" : "down", redis: redisUp ? "up" : "down", nodeId, media }));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "Not found. The realtime server speaks WebSocket (tRPC) and serves GET /healthz." }));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  let draining = false;

  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  };

  server.on("upgrade", async (req, socket, head) => {
    socket.on("error", () => {});
    if (draining) return refuse(socket, 503, "This node is shutting down, connect again");
    // Browsers attach cookies to cross-site WebSocket requests: only our own pages may open one.
    const origin = req.headers.origin;
    if (!origin || !allowedOrigins.has(origin)) return refuse(socket, 403, "Origin not allowed");
    const ip = clientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"] as string | undefined);
    try {
      // a reconnect storm from one client cannot exhaust the node
      const verdict = await consumeToken(redis, { scope: "ws:ip", capacity: serverEnv.rateLimits.wsUpgradesPerMinute, windowMs: 60_000 }, ip);
      if (!verdict.allowed) return refuse(socket, 429, "Too many connections");
      connections.set(req, { id: randomUUID(), ip, ...(await identifySocket(db, req.headers.cookie)) });
    } catch {
      return refuse(socket, 503, "Service unavailable");
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  wss.on("connection", (ws, req) => {
    const connection = connections.get(req);
    if (!connection) return;
    // the socket's meeting participants leave with it, after a grace window for reconnecting
    meetings.connectionOpened(connection.id);
    ws.once("close", () => meetings.connectionClosed(connection.id));
    if (!connection.user) return;
    const { user } = connection;
    const entry = { ws, connection };
    let set = socketsByUser.get(user.id);
    if (!set) socketsByUser.set(user.id, (set = new Set()));
    set.add(entry);
    void presence.connect({ id: user.id, name: user.name, isGuest: user.isGuest }).catch(() => {});
    // the cookie's own expiry ends the socket too (the page reconnects with its renewed cookie)
    const expiry = setTimeout(() => ws.close(CLOSE_SESSION_ENDED, "Session expired"), Math.min(connection.session!.expiresAt - Date.now(), 2 ** 31 - 1));
    ws.once("close", () => {
      clearTimeout(expiry);
      set.delete(entry);
      if (set.size === 0) socketsByUser.delete(user.id);
      void presence.disconnect(user.id).catch(() => {});
    });
  });

  const handler = applyTrpcSocketHandler({
    wss,
    router: realtimeRouter,
    createContext: ({ req }) => createContext({ transport: "ws", db, redis, socket: connections.get(req) ?? { id: randomUUID(), session: null, user: null, ip: "unknown" }, services }),
    keepAlive: { pingMs: serverEnv.wsPingMs, pongWaitMs: serverEnv.wsPongWaitMs },
  });

  const closeRevoked = (userId: string, tokenVersion: number) => {
    for (const { ws, connection } of socketsByUser.get(userId) ?? []) {
      if ((connection.session?.tokenVersion ?? -1) < tokenVersion) ws.close(CLOSE_SESSION_ENDED, "Session revoked");
    }
  };
  const offRevoked = await bus.on(SESSION_REVOKED_CHANNEL, (event) => {
    const { userId, tokenVersion } = event as SessionRevokedEvent;
    closeRevoked(userId, tokenVersion);
  });
  const revalidate = setInterval(async () => {
    const ids = [...socketsByUser.keys()];
    if (ids.length === 0) return;
    const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, tokenVersion: true } }).catch(() => null);
    if (!users) return;
    const versions = new Map(users.map((u) => [u.id, u.tokenVersion]));
    for (const id of ids) closeRevoked(id, versions.get(id) ?? Number.MAX_SAFE_INTEGER);
  }, REVALIDATE_MS);
  revalidate.unref();

  await presence.start();
  await meetings.start();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as import("node:net").AddressInfo).port;

  return {
    nodeId,
    port,
    /**
     * Drain: take no new sockets, hand the meetings whose media this node owns to another node (their clients
     * rebuild media there), tell clients to reconnect (a load balancer sends them elsewhere), then close.
     */
    async stop() {
      draining = true;
      clearInterval(revalidate);
      offRevoked();
      const moved = await meetings.handOver();
      if (moved) console.log(`realtime: handed over ${moved} meeting(s)`);
      handler.broadcastReconnectNotification();
      await new Promise((resolve) => setTimeout(resolve, wss.clients.size ? 1000 : 0));
      for (const ws of wss.clients) ws.close(1001, "Server shutting down");
      // let the owners hear about the closed sockets before this node stops answering
      await new Promise((resolve) => setTimeout(resolve, 200));
      await meetings.stop();
      await pool?.close();
      await presence.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await bus.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
