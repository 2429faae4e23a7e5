// One attempt of a delivery: a signed POST to the endpoint, through the address check (address.ts), within the
// timeout, never following a redirect (a 3xx could point anywhere, including inside our network). A 2xx answer is
// success; anything else, including no answer, is a failed attempt with a reason people can read.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { SIGNATURE_HEADER, sign } from "@qualmeet/webhook-signature";
import { BlockedDestination, hostOf, resolveDestination, type ResolvedAddress } from "./address.ts";

export interface AttemptResult {
  ok: boolean;
  /** the HTTP status, or null when none came */
  status: number | null;
  /** why it failed, for the delivery log (null on success) */
  error: string | null;
  latencyMs: number;
}

export interface Delivery {
  url: string;
  /** the event's JSON, exactly as signed */
  body: string;
  secret: string;
  eventId: string;
  eventType: string;
  deliveryId: string;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** how much of the receiver's answer is read before it is dropped */
  maxResponseBytes?: number;
  resolve?: typeof resolveDestination;
}

export const USER_AGENT = "QualMeet-Webhooks/1";

/** A lookup that hands the socket the addresses already checked, whatever DNS says now. */
const pinned =
  (addresses: ResolvedAddress[]): LookupFunction =>
  (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };

export async function sendDelivery(delivery: Delivery, options: SendOptions): Promise<AttemptResult> {
  const started = performance.now();
  const failed = (error: string, status: number | null = null): AttemptResult => ({ ok: false, status, error, latencyMs: Math.round(performance.now() - started) });
  const url = new URL(delivery.url);
  let addresses: ResolvedAddress[];
  try {
    addresses = await (options.resolve ?? resolveDestination)(hostOf(url), options.allowPrivate);
  } catch (error) {
    if (error instanceof BlockedDestination) return failed(error.message);
    throw error;
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    [SIGNATURE_HEADER]: sign({ body: delivery.body, secret: delivery.secret }),
    "QualMeet-Event": delivery.eventType,
    "QualMeet-Event-Id": delivery.eventId,
    "QualMeet-Delivery": delivery.deliveryId,
  };
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<AttemptResult>((resolve) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(delivery.body) }, lookup: pinned(addresses) });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const finish = (result: AttemptResult) => {
      clearTimeout(timer);
      resolve(result);
    };
    req.on("error", (err) => finish(failed(err.message.slice(0, 300))));
    req.on("response", (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      // the answer's body is not needed: read a little (so the connection ends cleanly) and drop it
      let read = 0;
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > (options.maxResponseBytes ?? 64 * 1024)) res.destroy();
      });
      const done = () => {
        if (status >= 200 && status < 300) finish({ ok: true, status, error: null, latencyMs: Math.round(performance.now() - started) });
        else if (status >= 300 && status < 400)
          finish(failed(`answered ${status} (a redirect${res.headers.location ? ` to ${res.headers.location.slice(0, 200)}` : ""}): redirects are not followed`, status));
        else finish(failed(`answered ${status}`, status));
      };
      res.on("end", done);
      res.on("close", done);
      res.on("error", done);
    });
    req.end(delivery.body);
  });
}
