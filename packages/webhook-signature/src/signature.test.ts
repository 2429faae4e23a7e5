import { createHmac } from "node:crypto";
import { expect, test } from "vitest";
import { parseSignatureHeader, sign, verify } from "./index.ts";

const secret = "whsec_test-secret";
const body = JSON.stringify({ id: "evt_1", type: "meeting.started", data: { meetingId: "m1" } });
const now = 1_800_000_000;

test("a signature is t=<time>,v1=<HMAC-SHA256 of time.body> and verifies", () => {
  const header = sign({ body, secret, timestamp: now });
  const expected = createHmac("sha256", secret).update(`${now}.${body}`).digest("hex");
  expect(header).toBe(`t=${now},v1=${expected}`);
  expect(verify({ body, header, secret, now })).toEqual({ ok: true, timestamp: now });
  expect(verify({ body: Buffer.from(body), header, secret, now: now + 299 }).ok).toBe(true);
});

test("a tampered body fails verification", () => {
  const header = sign({ body, secret, timestamp: now });
  const tampered = body.replace("m1", "m2");
  expect(verify({ body: tampered, header, secret, now })).toMatchObject({ ok: false, reason: "mismatch" });
  expect(verify({ body: `${body} `, header, secret, now })).toMatchObject({ ok: false, reason: "mismatch" });
});

test("a signature made with another secret fails verification", () => {
  const header = sign({ body, secret: "whsec_someone-else", timestamp: now });
  expect(verify({ body, header, secret, now })).toMatchObject({ ok: false, reason: "mismatch" });
});

test("a delivery replayed later, or dated in the future, is refused as expired", () => {
  const header = sign({ body, secret, timestamp: now });
  expect(verify({ body, header, secret, now: now + 301 })).toMatchObject({ ok: false, reason: "expired" });
  expect(verify({ body, header, secret, now: now - 301 })).toMatchObject({ ok: false, reason: "expired" });
  expect(verify({ body, header, secret, now: now + 30, toleranceSec: 10 })).toMatchObject({ ok: false, reason: "expired" });
});

test("replaying with a fresh timestamp and the old signature does not match", () => {
  const old = sign({ body, secret, timestamp: now - 3600 });
  const v1 = old.split("v1=")[1];
  expect(verify({ body, header: `t=${now},v1=${v1}`, secret, now })).toMatchObject({ ok: false, reason: "mismatch" });
});

test("headers that are not ours are refused as missing or malformed, without throwing", () => {
  const good = sign({ body, secret, timestamp: now });
  expect(verify({ body, header: undefined, secret, now })).toMatchObject({ ok: false, reason: "missing" });
  expect(verify({ body, header: "", secret, now })).toMatchObject({ ok: false, reason: "missing" });
  for (const header of [
    "garbage",
    `t=${now}`,
    "v1=abcd",
    `t=soon,v1=${"a".repeat(64)}`,
    `t=${now},v1=zz`,
    `t=${now},t=${now},v1=${"a".repeat(64)}`,
    `t=${now},v1=${"a".repeat(63)}`,
  ]) {
    expect(verify({ body, header, secret, now }), header).toMatchObject({ ok: false, reason: "malformed" });
  }
  expect(verify({ body, header: [good], secret, now }).ok).toBe(true);
});

test("any of several v1 signatures may match (a secret rotation), and unknown schemes are skipped", () => {
  const mine = sign({ body, secret, timestamp: now }).split("v1=")[1];
  const header = `t=${now},v0=legacy,v1=${"0".repeat(64)},v1=${mine}`;
  expect(parseSignatureHeader(header)?.signatures).toHaveLength(2);
  expect(verify({ body, header, secret, now }).ok).toBe(true);
});

test("sign refuses a timestamp that is not whole unix seconds", () => {
  expect(() => sign({ body, secret, timestamp: 1.5 })).toThrow(RangeError);
  expect(() => sign({ body, secret, timestamp: -1 })).toThrow(RangeError);
});
