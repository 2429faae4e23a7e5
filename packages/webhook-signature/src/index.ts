// QualMeet webhook signatures. Every delivery carries the header
//   QualMeet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint's secret>
// The timestamp is inside what is signed, so an old delivery cannot be replayed with a fresh time; a receiver refuses
// times outside its tolerance (default 5 minutes) and, to refuse a replay within it, remembers the event ids it saw.
// Node's crypto only: no dependencies.
import { createHmac, timingSafeEqual } from "node:crypto";

/** The HTTP header a delivery's signature travels in (header names are case-insensitive: Node lower-cases them). */
export const SIGNATURE_HEADER = "QualMeet-Signature";
/** How far a delivery's time may be from the receiver's clock, by default. */
export const DEFAULT_TOLERANCE_SEC = 300;

export type Body = string | Uint8Array;

/** Why a delivery was refused. */
export type VerifyFailure = "missing" | "malformed" | "expired" | "mismatch";

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailure; message: string };

export interface SignOptions {
  /** the exact bytes sent as the request body */
  body: Body;
  secret: string;
  /** unix seconds; now by default */
  timestamp?: number;
}

export interface VerifyOptions {
  /** the raw request body, exactly as received (parse JSON only after verifying) */
  body: Body;
  /** the QualMeet-Signature header's value */
  header: string | string[] | null | undefined;
  secret: string;
  toleranceSec?: number;
  /** unix seconds; now by default (for tests) */
  now?: number;
}

const hmac = (secret: string, timestamp: number, body: Body): Buffer =>
  createHmac("sha256", secret)
    .update(`${timestamp}.`)
    .update(typeof body === "string" ? Buffer.from(body, "utf8") : body)
    .digest();

/** The header value for `body` signed with `secret` at `timestamp`. */
export function sign({ body, secret, timestamp = Math.floor(Date.now() / 1000) }: SignOptions): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError("timestamp: whole unix seconds");
  return `t=${timestamp},v1=${hmac(secret, timestamp, body).toString("hex")}`;
}

/** The header's timestamp and v1 signatures (several during a secret rotation), or null when it is not one of ours. */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: Buffer[] } | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(Buffer.from(value, "hex"));
    }
    // other schemes (v0, a future v2) are skipped: a receiver keeps working when one is added
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * Checks a delivery: the header is well formed, its time within `toleranceSec` of now and one of its v1 signatures
 * matches (compared in constant time). Never throws on bad input: answer 400 when `ok` is false.
 */
export function verify({ body, header, secret, toleranceSec = DEFAULT_TOLERANCE_SEC, now = Math.floor(Date.now() / 1000) }: VerifyOptions): VerifyResult {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return { ok: false, reason: "missing", message: `No ${SIGNATURE_HEADER} header.` };
  const parsed = parseSignatureHeader(value);
  if (!parsed) return { ok: false, reason: "malformed", message: `${SIGNATURE_HEADER} is not "t=<unix seconds>,v1=<hex>".` };
  if (Math.abs(now - parsed.timestamp) > toleranceSec) {
    return { ok: false, reason: "expired", message: `The signature's time is ${now - parsed.timestamp} s from now, beyond ${toleranceSec} s: an old or replayed delivery.` };
  }
  const expected = hmac(secret, parsed.timestamp, body);
  const matches = parsed.signatures.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  if (!matches) return { ok: false, reason: "mismatch", message: "The signature does not match the body: a different secret, or the body was changed." };
  return { ok: true, timestamp: parsed.timestamp };
}
