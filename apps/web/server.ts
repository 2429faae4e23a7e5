// Production server for the web app: Next's request handler behind a plain Node HTTP server, so that the
// client's address is decided here (Next keeps a client-sent X-Forwarded-For, which anyone can forge).
// Route handlers and next-auth read the one address this server puts in X-Forwarded-For.
//   PORT (default 3000), HOST (default 0.0.0.0), TRUSTED_PROXY_HOPS (default 0)
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { clientIp } from "@qualmeet/api/client-ip";

const dir = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";

const app = next({ dev: false, dir, port, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  const forwarded = req.headers["x-forwarded-for"];
  req.headers["x-forwarded-for"] = clientIp(req.socket.remoteAddress, Array.isArray(forwarded) ? forwarded.join(",") : forwarded);
  void handle(req, res);
});
server.listen(port, host, () => console.log(`web: listening on http://localhost:${port}`));

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
