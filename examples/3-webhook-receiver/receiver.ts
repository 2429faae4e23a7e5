// A QualMeet webhook receiver: checks each delivery's QualMeet-Signature with the endpoint's secret and prints the
// verified events on stdout, one JSON object a line; a delivery that fails the check (tampered, replayed, signed with
// another secret, unsigned) is refused with 400 and said on stderr. The same event arriving twice (a retry after a
// lost answer) is acknowledged again but printed once.
//   WEBHOOK_SECRET=whsec_... PORT=8787 node --import tsx examples/3-webhook-receiver/receiver.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNATURE_HEADER, verify } from "@qualmeet/webhook-signature";

const secret = process.env.WEBHOOK_SECRET;
if (!secret?.startsWith("whsec_")) {
  process.stderr.write("Set WEBHOOK_SECRET to the endpoint's signing secret (whsec_...), shown when you added it on /settings/webhooks.\n");
  process.exit(1);
}
const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? "127.0.0.1";
/** bodies above this are refused unread (QualMeet's own limit is 64 KiB) */
const MAX_BODY_BYTES = 256 * 1024;
/** event ids handled lately: a retry of one of them is not printed again */
const seen = new Set<string>();
const SEEN_MAX = 10_000;

const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const server = createServer((req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) req.destroy();
    else chunks.push(chunk);
  });
  req.on("end", () => {
    // the raw bytes are verified; JSON is parsed only after
    const body = Buffer.concat(chunks);
    const result = verify({ body, header: req.headers[SIGNATURE_HEADER.toLowerCase()], secret });
    if (!result.ok) {
      process.stderr.write(`${JSON.stringify({ verified: false, reason: result.reason, message: result.message })}\n`);
      res.writeHead(400, { "content-type": "text/plain" }).end(result.message);
      return;
    }
    const event = JSON.parse(body.toString("utf8")) as { id: string; type: string; createdAt: string; data: unknown };
    if (!seen.has(event.id)) {
      seen.add(event.id);
      if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value!);
      print({ verified: true, id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });
    }
    res.writeHead(204).end();
  });
});

server.listen(port, host, () => {
  const { port: bound } = server.address() as AddressInfo;
  // the first line says where it listens (PORT=0 picks a free port)
  print({ listening: `http://${host}:${bound}` });
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
