// Starts one realtime node. Port: --port N, else REALTIME_PORT, else 3001. Every other setting comes from the
// environment (packages/config): a bad value stops the node here, before it listens.
import { randomUUID } from "node:crypto";
import { exitOnInvalidEnv, loadServerEnv } from "@qualmeet/config";
import { logger } from "@qualmeet/log";

const portFlag = process.argv.indexOf("--port");
// `--port N` is REALTIME_PORT given on the command line: validated (and named in errors) as that variable
if (portFlag >= 0) process.env.REALTIME_PORT = process.argv[portFlag + 1] ?? "(missing after --port)";
const env = exitOnInvalidEnv("realtime", loadServerEnv);
// imported once the configuration is known to be good: some modules read it as they load
const { startRealtimeServer } = await import("./server.ts");
const { startChatPersister } = await import("./chatPersister.ts");
const { startWebhookWorker } = await import("./webhooks.ts");
const { checkRedisAddress } = await import("@qualmeet/api");
// a Sentinel list nobody answers on, or a master name they do not know, stops the start here with its entries named
await exitOnInvalidEnv("realtime", () => checkRedisAddress(env.REDIS));
const { startTracing } = await import("@qualmeet/api/tracing");
const { createDb } = await import("@qualmeet/db");

const nodeId = randomUUID();
logger.level = env.LOG_LEVEL;
logger.setBindings({ service: "realtime", nodeId });
const tracing = await startTracing({ name: "qualmeet-realtime", instanceId: nodeId });

const db = createDb(env.DATABASE_URL, env.DATABASE_RETRY_MS);
const node = await startRealtimeServer({ nodeId, port: env.REALTIME_PORT, host: env.HOST, db, redis: env.REDIS });
const chatPersister = await startChatPersister({ db, redis: env.REDIS, consumer: nodeId });
const webhooks = startWebhookWorker({ db, redis: env.REDIS, consumer: nodeId });
logger.info({ port: node.port }, `realtime: listening on ws://localhost:${node.port}`);
// calls still connect on a LAN without it; behind strict NATs and firewalls they fail
if (env.TURN_URLS) logger.info({ turnUrls: env.TURN_URLS, iceTransportPolicy: env.ICE_TRANSPORT_POLICY }, "realtime: TURN is configured");
else if (env.ICE_TRANSPORT_POLICY === "relay") logger.error("realtime: TURN is not configured but ICE_TRANSPORT_POLICY=relay: no call can connect (set TURN_URLS and TURN_SECRET)");
else logger.warn("realtime: TURN is not configured (TURN_URLS, TURN_SECRET): calls between networks that block direct connections will fail");

let stopping = false;
const shutdown = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "realtime: draining");
  // a drain hands meetings over and lets clients move: it must still end within 30 s
  const force = setTimeout(() => {
    logger.error("realtime: drain did not finish within 25 s, exiting: meetings not handed over yet are rebuilt by their clients");
    process.exit(1);
  }, 25_000);
  force.unref();
  await node.stop().catch((err: unknown) => logger.error({ err }, "realtime: stopping the node failed: meetings it owned wait for their owner key to expire"));
  await chatPersister.stop().catch((err: unknown) => logger.error({ err }, "realtime: stopping the chat persister failed: its pending outbox entries are claimed by another node"));
  await webhooks.stop().catch((err: unknown) => logger.error({ err }, "realtime: stopping the webhook worker failed: its leased deliveries are sent by another node"));
  await db.$disconnect();
  await tracing.stop();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
