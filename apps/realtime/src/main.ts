// Starts one realtime node. Port: --port N, else REALTIME_PORT, else 3001.
import { startChatPersister } from "./chatPersister.ts";
import { startRealtimeServer } from "./server.ts";

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`realtime: ${name} is not set`);
    process.exit(1);
  }
  return value;
};

const portFlag = process.argv.indexOf("--port");
const port = Number(portFlag >= 0 ? process.argv[portFlag + 1] : (process.env.REALTIME_PORT ?? 3001));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`realtime: invalid port "${process.argv[portFlag + 1] ?? process.env.REALTIME_PORT}"`);
  process.exit(1);
}
required("NEXTAUTH_SECRET");

const node = await startRealtimeServer({
  port,
  host: process.env.HOST ?? "0.0.0.0",
  databaseUrl: required("DATABASE_URL"),
  redisUrl: required("REDIS_URL"),
});
const chatPersister = await startChatPersister({ databaseUrl: required("DATABASE_URL"), redisUrl: required("REDIS_URL"), consumer: node.nodeId });
console.log(`realtime: node ${node.nodeId} listening on ws://localhost:${node.port}`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  // a drain hands meetings over and lets clients move: it must still end within 30 s
  const force = setTimeout(() => process.exit(1), 25_000);
  force.unref();
  await node.stop().catch((error) => console.error("realtime: error while stopping", error));
  await chatPersister.stop().catch((error) => console.error("realtime: error while stopping the chat persister", error));
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
