import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, test } from "vitest";
import { verify } from "@qualmeet/webhook-signature";
import { sendDelivery, type Delivery } from "./sender.ts";

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A receiver on loopback answering with `answer`; returns its URL and what it got. */
async function receiver(answer: (res: import("node:http").ServerResponse) => void) {
  const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}

const delivery = (url: string): Delivery => ({
  url,
  body: JSON.stringify({ id: "evt-1", type: "meeting.started", createdAt: "2026-01-01T00:00:00.000Z", data: { meeting: { id: "m" } } }),
  secret: "whsec_unit",
  eventId: "evt-1",
  eventType: "meeting.started",
  deliveryId: "d-1",
});
const allowed = { timeoutMs: 2000, allowPrivate: true };

test("a delivery is a signed JSON POST naming the event and delivery; a 2xx answer is success", async () => {
  const { url, got } = await receiver((res) => res.writeHead(204).end());
  const result = await sendDelivery(delivery(url), allowed);
  expect(result).toMatchObject({ ok: true, status: 204, error: null });
  expect(got).toHaveLength(1);
  const [{ headers, body }] = got as [(typeof got)[number]];
  expect(body).toBe(delivery(url).body);
  expect(headers).toMatchObject({ "content-type": "application/json", "qualmeet-event": "meeting.started", "qualmeet-event-id": "evt-1", "qualmeet-delivery": "d-1" });
  expect(verify({ body, header: headers["qualmeet-signature"], secret: "whsec_unit" }).ok).toBe(true);
});

test("an error status, a redirect and no answer in time are failed attempts saying why", async () => {
  const failing = await receiver((res) => res.writeHead(503).end("down"));
  expect(await sendDelivery(delivery(failing.url), allowed)).toMatchObject({ ok: false, status: 503, error: "answered 503" });
  await new Promise<void>((resolve) => server!.close(() => resolve()));

  const redirecting = await receiver((res) => res.writeHead(302, { location: "http://169.254.169.254/latest" }).end());
  const redirected = await sendDelivery(delivery(redirecting.url), allowed);
  expect(redirected).toMatchObject({ ok: false, status: 302 });
  expect(redirected.error).toMatch(/redirects are not followed/);
  expect(redirecting.got).toHaveLength(1);
  await new Promise<void>((resolve) => server!.close(() => resolve()));

  const silent = await receiver(() => {});
  const timedOut = await sendDelivery(delivery(silent.url), { ...allowed, timeoutMs: 200 });
  expect(timedOut).toMatchObject({ ok: false, status: null, error: "no answer within 200 ms" });
  server!.closeAllConnections();
});

test("a loopback receiver is refused before any connection unless private addresses are allowed", async () => {
  const { url, got } = await receiver((res) => res.writeHead(200).end());
  const result = await sendDelivery(delivery(url), { timeoutMs: 2000, allowPrivate: false });
  expect(result).toMatchObject({ ok: false, status: null });
  expect(result.error).toMatch(/127\.0\.0\.1 is a private, loopback or link-local address/);
  expect(got).toHaveLength(0);
});

test("nothing listening is a failed attempt, not a thrown error", async () => {
  const { url } = await receiver((res) => res.writeHead(200).end());
  await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = null;
  const result = await sendDelivery(delivery(url), allowed);
  expect(result).toMatchObject({ ok: false, status: null });
  expect(result.error).toMatch(/ECONNREFUSED/);
});
