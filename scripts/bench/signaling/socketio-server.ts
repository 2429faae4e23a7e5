// The baseline of scripts/bench/signaling.ts: a plain Socket.IO server (websocket transport) on the
// @socket.io/redis-adapter, doing the meeting chat fan-out and nothing else (no auth, no persistence).
// A client emits "join" (room name) and "chat" ({ room, text }), both acknowledged; the server
// broadcasts the text to the room ("chat" event, sender included), across nodes through Redis.
//   node scripts/bench/signaling/socketio-server.ts --port N   (REDIS_URL in the environment)
// Plain node runs it (type stripping: keep to erasable TypeScript), without the tsx loader, whose memory the
// comparison of RSS with the realtime nodes would otherwise count against the baseline.
import http from "node:http";
import { parseArgs } from "node:util";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const redisUrl = process.env.REDIS_URL;
if (!redisUrl) {
  console.error("socketio-server: REDIS_URL is not set");
  process.exit(1);
}

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(server, { transports: ["websocket"], serveClient: false, adapter: createAdapter(pub, sub) });

io.on("connection", (socket) => {
  socket.on("join", (room: unknown, ack?: (reply: unknown) => void) => {
    if (typeof room !== "string") return;
    void socket.join(room);
    ack?.({ ok: true });
  });
  socket.on("chat", (message: { room?: unknown; text?: unknown }, ack?: (reply: unknown) => void) => {
    if (typeof message?.room !== "string" || typeof message.text !== "string" || !socket.rooms.has(message.room)) return;
    io.to(message.room).emit("chat", message.text);
    ack?.({ ok: true });
  });
});

server.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`socketio-server: listening on ${(server.address() as import("node:net").AddressInfo).port}`);
});

const shutdown = () => {
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  io.close(() => {
    pub.disconnect();
    sub.disconnect();
    process.exit(0);
  });
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
