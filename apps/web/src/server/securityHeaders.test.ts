import { expect, test } from "vitest";
import { contentSecurityPolicy, newNonce } from "./securityHeaders";

const directives = (policy: string) => new Map(policy.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

test("scripts run only with the nonce; nothing frames us; the realtime socket may be reached", () => {
  const nonce = newNonce();
  const policy = directives(contentSecurityPolicy({ nonce, realtimeUrl: "wss://rt.example.org:8443/", https: true, development: false }));
  expect(policy.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
  expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  expect(policy.get("connect-src")).toEqual(["'self'", "wss://rt.example.org:8443"]);
  expect(policy.get("object-src")).toEqual(["'none'"]);
  expect(policy.has("upgrade-insecure-requests")).toBe(true);
  const plain = directives(contentSecurityPolicy({ nonce, realtimeUrl: "ws://localhost:3001", https: false, development: false }));
  expect(plain.has("upgrade-insecure-requests")).toBe(false);
  expect(plain.get("connect-src")).toContain("ws://localhost:3001");
});

test("a fresh, unguessable nonce each time", () => {
  const nonces = new Set(Array.from({ length: 100 }, newNonce));
  expect(nonces.size).toBe(100);
  for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
});
