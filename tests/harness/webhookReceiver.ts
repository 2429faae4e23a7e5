// A webhook receiver for tests: an HTTP server on loopback that records every request (its time, headers, raw body)
// and answers each path as the test says (204 unless told otherwise). Endpoints pointing at it need
// WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true on the servers.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedDelivery {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** the parsed body: { id, type, createdAt, data } */
  event: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT */
  url: string;
  received: ReceivedDelivery[];
  /** what requests to `path` are answered with from now on */
  answer(path: string, status: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const answers = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      received.push({ path, at: Date.now(), headers: req.headers, body, event: JSON.parse(body) as ReceivedDelivery["event"] });
      res.writeHead(answers.get(path) ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answer: (path, status) => answers.set(path, status),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
