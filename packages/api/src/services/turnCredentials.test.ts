import { createHmac } from "node:crypto";
import { expect, test } from "vitest";
import { turnCredentials } from "./turnCredentials.ts";

test("without a TURN server configured, no ICE servers are handed out", () => {
  expect(turnCredentials("u1", Date.now(), { urls: undefined, secret: undefined }).iceServers).toEqual([]);
});

test("credentials expire in an hour and are the HMAC coturn checks", () => {
  const now = Date.UTC(2026, 10, 22, 12, 0, 0);
  const turn = { urls: ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"], secret: "shared-secret" };
  const { iceServers, expiresInS } = turnCredentials("user-7", now, turn);
  expect(expiresInS).toBe(3600);
  const [server] = iceServers;
  expect(server!.urls).toEqual(["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]);
  expect(server!.username).toBe(`${now / 1000 + 3600}:user-7`);
  expect(server!.credential).toBe(createHmac("sha1", "shared-secret").update(server!.username!).digest("base64"));
});
