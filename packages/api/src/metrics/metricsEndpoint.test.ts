// Who may read /metrics: the token holder when METRICS_TOKEN is set, else only this machine without a proxy between.
import { expect, test } from "vitest";
import { metricsAccess } from "./metricsEndpoint.ts";

const request = (remoteAddress: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress } }) as unknown as Parameters<typeof metricsAccess>[0];
const TOKEN = "a-metrics-token-of-32-characters";

test("with METRICS_TOKEN: the bearer token and nothing else, from anywhere", () => {
  expect(metricsAccess(request("203.0.113.9", { authorization: `Bearer ${TOKEN}` }), TOKEN)).toBe(200);
  expect(metricsAccess(request("127.0.0.1"), TOKEN)).toBe(401);
  expect(metricsAccess(request("127.0.0.1", { authorization: `Bearer ${TOKEN}x` }), TOKEN)).toBe(401);
  expect(metricsAccess(request("127.0.0.1", { authorization: TOKEN }), TOKEN)).toBe(401);
});

test("without a token: loopback only, and never through a proxy (which would make any outsider look local)", () => {
  for (const local of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect(metricsAccess(request(local), undefined), local).toBe(200);
  for (const remote of ["10.0.0.5", "203.0.113.9", "::ffff:192.168.1.2", "fe80::1"]) expect(metricsAccess(request(remote), undefined), remote).toBe(403);
  expect(metricsAccess(request("127.0.0.1", { "x-forwarded-for": "203.0.113.9" }), undefined)).toBe(403);
  expect(metricsAccess(request("127.0.0.1", { forwarded: "for=203.0.113.9" }), undefined)).toBe(403);
  // a token sent to a server that has none configured opens nothing
  expect(metricsAccess(request("203.0.113.9", { authorization: `Bearer ${TOKEN}` }), undefined)).toBe(403);
});
