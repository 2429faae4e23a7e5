// The realtime node: tRPC over WebSocket (cookie-authenticated, Origin-checked), presence in Redis,
// revocation of open sockets, and /healthz. `main.ts` wires it to the process.
import http from "node:http";
import type { Duplex } from "node:stream";
import { randomUUID } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import {
  API_TOKEN_REVOKED_CHANNEL,
  SESSION_REVOKED_CHANNEL,
  clientIp,
  createContext,
  createRedis,
  identifySocket,
  logProcedureError,
  type ApiTokenRevokedEvent,
  type SessionRevokedEvent,
  type SocketIdentity,
} from "@qualmeet/api";
import { addressBlock } from "@qualmeet/api/client-ip";
import {
  Bus,
  DashboardFeed,
  MediaOwner,
  NodeSnapshotPublisher,
  PresenceRegistry,
  MeetingEventLog,
  MeetingService,
  RandomService,
  RandomSafetyService,
  consumeToken,
  createClusterMetrics,
  createNodeMetrics,
  realtimeRouter,
  serviceMetrics,
  countProcedureError,
} from "@qualmeet/api/realtime";
import { METRICS_PATH, serveMetrics } from "@qualmeet/api/metrics";
import { env, type RedisAddress } from "@qualmeet/config";
import type { PrismaClient } from "@qualmeet/db";
import { logger, type Logger } from "@qualmeet/log";
import { WorkerPool } from "@qualmeet/media";
import { serveHealth } from "./health.ts";
import { CloseCode, OpenSockets, isRefusal, notSignedInReason, type SocketRefusal } from "./socketLimits.ts";
import { applyTrpcSocketHandler } from "./trpcSocket.ts";
import { batchRedisWrites } from "./writeBatching.ts";

export interface RealtimeConfig {
  /** this node in Redis (presence, media ownership, chat outbox consumer) and on every log line */
  nodeId: string;
  port: number;
  host: string;
  /** the node's one Prisma client, shared with its chat persister (each client holds ~10 MB of schema and compiler) */
  db: PrismaClient;
  redis: RedisAddress;
}

/** A socket as its upgrade established it, with its own log lines (the node's, with socketId and userId). */
interface Connection extends SocketIdentity {
  log: Logger;
}

// Open sockets are re-checked against the database this often, in case a revocation event was missed.
const REVALIDATE_MS = 60_000;

function startMedia(): Promise<WorkerPool | null> {
  const network = {
    listenIp: env.MEDIA_LISTEN_IP,
    announcedAddress: env.MEDIA_ANNOUNCED_ADDRESS,
    webRtcPort: env.MEDIA_PORT,
    rtcMinPort: env.MEDIA_RTC_MIN_PORT,
    rtcMaxPort: env.MEDIA_RTC_MAX_PORT,
  };
  return WorkerPool.create({ numWorkers: env.MEDIA_WORKERS, ...network }).catch((err: unknown) => {
    logger.error({ err }, "realtime: media server unavailable: meetings on this node get no SFU until it restarts");
    return null;
  });
}

export async function startRealtimeServer(config: RealtimeConfig) {
  const { nodeId } = config;
  const { db } = config;
  const redis = createRedis(config.redis, `qualmeet-realtime-${nodeId}`);
  // every call and room event costs Redis commands: the ones issued in one event-loop turn go out in one write
  batchRedisWrites(redis);
  const bus = new Bus(config.redis, redis);
  const presence = new PresenceRegistry(redis, bus, nodeId);
  const meetingEvents = new MeetingEventLog(redis, bus);
  // Without a mediasoup worker (none configured, or none starts) the node still serves chat and presence;
  // joining a meeting's SFU says media is unavailable.
  const pool = env.MEDIA_WORKERS === 0 ? null : await startMedia();
  pool?.on("workerdied", () => serviceMetrics().workerDeaths.inc());
  const meetings = new MeetingService({
    db,
    redis,
    bus,
    nodeId,
    createLocal: (probe) => new MediaOwner({ db, redis, pool, nodeId, log: meetingEvents, probe }),
    watchMeeting: (meetingId, onEvent) => meetingEvents.watch(meetingId, onEvent),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  // this node's counters, read from its live state when collected (issue 14 serves the registry at /metrics)
  const metrics = createNodeMetrics(nodeId, redis, {
    sockets: () => wss.clients.size,
    usersOnline: () => presence.localUserCount,
    meetings: () => meetings.local.stats(),
    workers: () => pool?.loads() ?? Promise.resolve([]),
  });
  const snapshots = new NodeSnapshotPublisher({ nodeId, redis, bus, metrics });
  const cluster = createClusterMetrics({ db, redis });
  const dashboard = DashboardFeed.of({ redis, bus, cluster });
  // random chat, with moderation's checks of every Start and Next (bans, holds, rate limits, the watch list)
  const random = new RandomService({ redis, nodeId, safety: new RandomSafetyService({ db, redis }), widenMs: env.RANDOM_WIDEN_MS, matchWaits: metrics.matchWaits });
  const services = { nodeId, bus, presence, meetings, meetingEvents, random, dashboard };
  const connections = new WeakMap<http.IncomingMessage, Connection>();
  const socketsByUser = new Map<string, Set<{ ws: WebSocket; connection: Connection }>>();
  const allowedOrigins = new Set(env.ALLOWED_ORIGINS);
  const openSockets = new OpenSockets({ perAddressBlock: env.WS_MAX_SOCKETS_PER_IP, perUser: env.WS_MAX_SOCKETS_PER_USER });

  const server = http.createServer(async (req, res) => {
    const path = req.url?.split("?")[0];
    if (req.method === "GET" && path === "/healthz") return serveHealth(req, res, { nodeId, db, redis, pool, meetings });
    // the same registries the admin dashboard reads (through the node snapshots and the cluster gauges)
    if (req.method === "GET" && path === METRICS_PATH) return serveMetrics(req, res, [metrics.registry, cluster.registry]);
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "Not found. The realtime server speaks WebSocket (tRPC) and serves GET /healthz and GET /metrics." }));
  });

  let draining = false;

  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  };

  /** Accepts the socket only to close it with the refusal's code and reason, which the page can read. */
  const refuseOpen = (req: http.IncomingMessage, socket: Duplex, head: Buffer, refusal: SocketRefusal, context: Record<string, unknown>) => {
    logger.warn({ ...context, cap: refusal.cap, limit: refusal.limit }, `realtime: socket refused: ${refusal.reason}`);
    wss.handleUpgrade(req, socket, head, (ws) => ws.close(refusal.code, refusal.reason));
  };

  server.on("upgrade", async (req, socket, head) => {
    // a client that vanishes mid-handshake: nothing of ours is lost
    socket.on("error", (err) => logger.debug({ err }, "realtime: socket error during the upgrade"));
    if (draining) return refuse(socket, 503, "This node is shutting down, connect again");
    // Browsers attach cookies to cross-site WebSocket requests: only our own pages may open one.
    // A bot authenticating with a personal access token (which no browser attaches by itself) may come from anywhere.
    const authorization = req.headers.authorization;
    const origin = req.headers.origin;
    if (!authorization && (!origin || !allowedOrigins.has(origin))) return refuse(socket, 403, "Origin not allowed");
    const ip = clientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"] as string | undefined, env.REALTIME_TRUSTED_PROXIES);
    const block = addressBlock(ip);
    const id = randomUUID();
    try {
      // a reconnect storm from one client cannot exhaust the node (nor fill its logs with the refusals below)
      const verdict = await consumeToken(redis, { scope: "ws:ip", capacity: env.RATE_LIMIT_WS_UPGRADES_PER_MIN, windowMs: 60_000 }, block);
      if (!verdict.allowed) return refuse(socket, 429, `Too many new connections from your network (limit ${env.RATE_LIMIT_WS_UPGRADES_PER_MIN} a minute)`);
    } catch (err) {
      logger.warn({ err, ip }, "realtime: socket refused (503): the rate limit check failed");
      return refuse(socket, 503, "Service unavailable");
    }
    const place = openSockets.admit(block);
    if (isRefusal(place)) return refuseOpen(req, socket, head, place, { ip, socketId: id });
    // the place is the connection's until its TCP socket closes, whichever way the upgrade ends
    socket.once("close", place.release);
    let identity: Awaited<ReturnType<typeof identifySocket>>;
    try {
      identity = await identifySocket({ db, redis }, req.headers.cookie, authorization);
    } catch (err) {
      logger.warn({ err, ip }, "realtime: socket refused (503): the session check failed");
      return refuse(socket, 503, "Service unavailable");
    }
    if (!identity) return refuse(socket, 401, "This API token is not valid: it was revoked, has expired or never existed");
    const userId = identity.user?.id ?? null;
    const refusal = userId === null ? null : place.claimUser(userId);
    if (refusal) return refuseOpen(req, socket, head, refusal, { ip, userId, socketId: id });
    connections.set(req, { id, ip, ...identity, log: logger.child({ socketId: id, userId }) });
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  wss.on("connection", (ws, req) => {
    const connection = connections.get(req);
    // A frame over maxPayload, a bad opcode or invalid UTF-8 is an 'error' on the socket (ws then closes it with
    // 1009/1002/1007): unheard, that error would end the whole node, for everyone on it.
    ws.on("error", (err) => (connection?.log ?? logger).info({ err, ip: connection?.ip }, "realtime: socket closed: the client sent what the protocol refuses"));
    if (!connection) return;
    // the socket's meeting participants leave with it, after a grace window for reconnecting
    meetings.connectionOpened(connection.id);
    ws.once("close", () => {
      meetings.connectionClosed(connection.id);
      random.connectionClosed(connection.id);
    });
    if (!connection.user) {
      // Identity comes from the session cookie at the upgrade, and nothing identifies a socket later: one without
      // a session may ask who it is (auth.me), then goes, so anonymous sockets cannot pile up on the node.
      const timeoutMs = env.WS_AUTH_TIMEOUT_MS;
      const unidentified = setTimeout(() => {
        connection.log.info({ ip: connection.ip, timeoutMs }, "realtime: socket closed: not signed in within the time allowed");
        ws.close(CloseCode.notSignedIn, notSignedInReason(timeoutMs));
      }, timeoutMs);
      ws.once("close", () => clearTimeout(unidentified));
      return;
    }
    const { user } = connection;
    const entry = { ws, connection };
    let set = socketsByUser.get(user.id);
    if (!set) socketsByUser.set(user.id, (set = new Set()));
    set.add(entry);
    const { log } = connection;
    void presence
      .connect({ id: user.id, name: user.name, isGuest: user.isGuest })
      .catch((err: unknown) => log.warn({ err }, "realtime: presence not recorded: the user may show offline"));
    // the cookie's (or token's) own expiry ends the socket too (the page reconnects with its renewed cookie)
    const expiresAt = connection.apiToken ? connection.apiToken.token.expiresAt.getTime() : connection.session!.expiresAt;
    const expiry = setTimeout(() => ws.close(CloseCode.notSignedIn, connection.apiToken ? "API token expired" : "Session expired"), Math.min(expiresAt - Date.now(), 2 ** 31 - 1));
    ws.once("close", () => {
      clearTimeout(expiry);
      set.delete(entry);
      if (set.size === 0) socketsByUser.delete(user.id);
      void presence.disconnect(user.id).catch((err: unknown) => log.warn({ err }, "realtime: presence not cleared: the user may show online until this node's entries expire"));
    });
  });

  const handler = applyTrpcSocketHandler({
    wss,
    router: realtimeRouter,
    createContext: ({ req }) =>
      createContext({ transport: "ws", db, redis, socket: connections.get(req) ?? { id: randomUUID(), session: null, user: null, ip: "unknown" }, services }),
    keepAlive: { pingMs: env.WS_PING_MS, pongWaitMs: env.WS_PONG_WAIT_MS },
    // the client gets a sentence and an error id; a failure of ours is logged with its cause and that id
    onError: ({ req, ...failure }) => {
      countProcedureError("realtime", realtimeRouter, failure);
      logProcedureError(connections.get(req)?.log ?? logger, "realtime", failure);
    },
    limits: { requestsPerMessage: env.WS_MAX_REQUESTS_PER_MESSAGE, subscriptionsPerSocket: env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET },
    onRefusal: ({ req, reason, limit, count }) => {
      const connection = connections.get(req);
      (connection?.log ?? logger).warn({ ip: connection?.ip, limit, count }, `realtime: request refused: ${reason}`);
    },
  });

  const closeRevoked = (userId: string, tokenVersion: number) => {
    for (const { ws, connection } of socketsByUser.get(userId) ?? []) {
      // a token's socket lives as long as the token (revoked below), not the user's browser sessions
      if (!connection.apiToken && (connection.session?.tokenVersion ?? -1) < tokenVersion) ws.close(CloseCode.notSignedIn, "Session revoked");
    }
  };
  const offRevoked = await bus.on(SESSION_REVOKED_CHANNEL, (event) => {
    const { userId, tokenVersion } = event as SessionRevokedEvent;
    closeRevoked(userId, tokenVersion);
  });
  const closeRevokedTokens = (tokenIds: Set<string>) => {
    for (const set of socketsByUser.values()) {
      for (const { ws, connection } of set) if (connection.apiToken && tokenIds.has(connection.apiToken.token.id)) ws.close(CloseCode.notSignedIn, "API token revoked");
    }
  };
  const offTokenRevoked = await bus.on(API_TOKEN_REVOKED_CHANNEL, (event) => closeRevokedTokens(new Set([(event as ApiTokenRevokedEvent).tokenId])));
  const revalidate = setInterval(async () => {
    const ids = [...socketsByUser.keys()];
    if (ids.length === 0) return;
    const users = await db.user
      .findMany({ where: { id: { in: ids } }, select: { id: true, tokenVersion: true } })
      .catch((err: unknown) => logger.warn({ err }, "realtime: revalidating open sessions failed: revoked sessions stay open until the next check"));
    if (!users) return;
    const versions = new Map(users.map((u) => [u.id, u.tokenVersion]));
    for (const id of ids) closeRevoked(id, versions.get(id) ?? Number.MAX_SAFE_INTEGER);
    // tokens revoked while this node missed the notice
    const tokenIds = [...socketsByUser.values()].flatMap((set) => [...set].flatMap(({ connection }) => (connection.apiToken ? [connection.apiToken.token.id] : [])));
    if (tokenIds.length === 0) return;
    const revoked = await db.apiToken
      .findMany({ where: { id: { in: tokenIds }, revokedAt: { not: null } }, select: { id: true } })
      .catch((err: unknown) => logger.warn({ err }, "realtime: revalidating open API tokens failed: revoked tokens' sockets stay open until the next check"));
    if (revoked) closeRevokedTokens(new Set(revoked.map((t) => t.id)));
  }, REVALIDATE_MS);
  revalidate.unref();

  await presence.start();
  await meetings.start();
  random.start();
  await snapshots.start();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as import("node:net").AddressInfo).port;

  return {
    nodeId,
    port,
    metrics,
    /**
     * Drain: take no new sockets, hand the meetings whose media this node owns to another node (their clients
     * rebuild media there), tell clients to reconnect (a load balancer sends them elsewhere), then close.
     */
    async stop() {
      draining = true;
      clearInterval(revalidate);
      offRevoked();
      offTokenRevoked();
      const moved = await meetings.handOver();
      if (moved) logger.info({ moved }, `realtime: handed over ${moved} meeting(s)`);
      handler.broadcastReconnectNotification();
      await new Promise((resolve) => setTimeout(resolve, wss.clients.size ? 1000 : 0));
      for (const ws of wss.clients) ws.close(1001, "Server shutting down");
      // let the owners hear about the closed sockets before this node stops answering
      await new Promise((resolve) => setTimeout(resolve, 200));
      await meetings.stop();
      random.stop();
      await snapshots.stop();
      await pool?.close();
      await presence.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await bus.close();
      redis.disconnect();
    },
  };
}
