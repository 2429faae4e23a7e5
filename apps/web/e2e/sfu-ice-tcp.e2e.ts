/// <reference lib="dom" />
// The SFU without UDP: Chromium launched with the WebRTC IP handling policy `disable_non_proxied_udp` (what a
// browser behind a firewall that drops UDP is left with, and no TURN server configured) still reaches mediasoup
// over ICE-TCP, on the TCP side of its worker's WebRtcServer port (MEDIA_PORT). Both pages decode each other's
// video, and every connected RTCPeerConnection selected a TCP pair to that port.
import { expect, test } from "vitest";
import { freePortRun } from "../../../scripts/lib/ports.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { expectDecoding, join, newPage, topology } from "./support/meetingPages.ts";
import { recordPeerConnections, selectedPairs } from "../../../tests/harness/peerConnections.ts";
import { useMeetingStack } from "./support/stack.ts";

// one worker, so every transport goes through the WebRtcServer on MEDIA_PORT (UDP and TCP)
const mediaPort = await freePortRun(1);
const stack = useMeetingStack({
  realtimeEnv: { MEDIA_WORKERS: "1", MEDIA_PORT: String(mediaPort) },
  chromiumArgs: ["--webrtc-ip-handling-policy=disable_non_proxied_udp"],
});

test("SFU: browsers that cannot use UDP connect to mediasoup over ICE-TCP on its WebRtcServer port", { timeout: 180_000 }, async () => {
  const host = await newUser(stack.web.url, "Tina Tcp");
  const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "No UDP", maxParticipants: 10, p2pMaxParticipants: 0 });
  const a = await newPage(stack.browser, stack.contexts, host.cookie);
  const b = await newPage(stack.browser, stack.contexts);
  await Promise.all([recordPeerConnections(a), recordPeerConnections(b)]);
  await join(a, stack.web.url, meeting.code);
  await join(b, stack.web.url, meeting.code, "Theo Guest");
  await Promise.all([expectDecoding(a, 1, 60_000), expectDecoding(b, 1, 60_000)]);
  expect((await topology(a)).mode).toBe("SFU");
  for (const page of [a, b]) {
    const pairs = await selectedPairs(page);
    // a send and a receive transport, both over TCP to the address mediasoup announced (MEDIA_LISTEN_IP) on MEDIA_PORT
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pairs.map((pair) => `${pair.protocol} ${pair.remoteAddress}:${pair.remotePort}`))).toEqual(new Set([`tcp 127.0.0.1:${mediaPort}`]));
  }
});
