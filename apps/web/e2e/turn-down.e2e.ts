/// <reference lib="dom" />
// A TURN server that is down does not break calls that do not need it: the realtime node hands browsers TURN (and
// so STUN) URLs where nothing works, with the default ICE_TRANSPORT_POLICY (all). A 2-person call as a P2P mesh
// and over the SFU still connects on loopback, video decodes, the page shows no notice, and joining does not wait
// for candidate gathering (trickle ICE; mediasoup-client sends no local candidates). Two ways to be down, on UDP and TCP:
//   - refused: a port where nothing listens (the server process is gone);
//   - silent: a port that takes packets and connections and never answers (a hung server, or a firewall that drops).
// The time from "Join now" to the first remote frame, and how far each RTCPeerConnection had got gathering by
// then, are printed (one JSON line per call), not asserted.
// (No TEST-NET address for "unroutable": on these test machines 192.0.2.1 is the gateway, and it answers UDP to the
// other ranges with "port unreachable" at once, so only a local silent server is silent everywhere.)
import dgram from "node:dgram";
import net from "node:net";
import { afterAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { freePort, freePortRun } from "../../../scripts/lib/ports.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { cameraPreviewPlaying, connectionState, expectDecoding, join, newPage, topology } from "./support/meetingPages.ts";
import { gatheringTimes, iceServerUrls, recordPeerConnections, selectedPairs } from "../../../tests/harness/peerConnections.ts";
import { useMeetingStack } from "./support/stack.ts";

/** A UDP and TCP port on 127.0.0.1 that swallows whatever arrives and never answers. */
async function startSilentServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePortRun(1);
  const udp = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => udp.once("error", reject).bind(port, "127.0.0.1", resolve));
  const held = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    held.add(socket);
    socket.on("error", () => socket.destroy()).on("close", () => held.delete(socket));
  });
  await new Promise<void>((resolve, reject) => tcp.once("error", reject).listen(port, "127.0.0.1", resolve));
  return {
    port,
    stop: async () => {
      for (const socket of held) socket.destroy();
      await Promise.all([new Promise((resolve) => tcp.close(resolve)), new Promise((resolve) => udp.close(() => resolve(undefined)))]);
    },
  };
}

const refusedPort = await freePort();
const silent = await startSilentServer();
afterAll(() => silent.stop());
const DEAD_TURN_URLS = (["udp", "tcp"] as const).flatMap((transport) => [refusedPort, silent.port].map((port) => `turn:127.0.0.1:${port}?transport=${transport}`));
const stack = useMeetingStack({ realtimeEnv: { TURN_URLS: DEAD_TURN_URLS.join(","), TURN_SECRET: "turn-down-e2e-secret" } });

/** Every non-empty text the page's alerts (notices, join errors, device problems) ever show, even one dismissed since. */
async function recordAlerts(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const shown = new Set<string>();
    (window as unknown as { __alerts: Set<string> }).__alerts = shown;
    new MutationObserver(() => {
      for (const alert of document.querySelectorAll('[role="alert"]')) {
        const text = alert.textContent?.trim();
        if (text) shown.add(text);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => [...(window as unknown as { __alerts: Set<string> }).__alerts]);
}

/**
 * libwebrtc gives up on an ICE server that never answers after about 40 s: a join that waited for candidate gathering
 * to finish would show no frame within this bound, a join that trickles shows one in about a second.
 */
const FIRST_FRAME_BOUND_MS = 30_000;

/** Joins as a guest; returns ms from the click on "Join now" to the first remote video frame presented. */
async function timedJoin(page: Page, webUrl: string, code: string, guestName: string): Promise<number> {
  await page.goto(`${webUrl}/m/${code}?quality=low`);
  await cameraPreviewPlaying(page);
  await page.getByLabel("Your name").fill(guestName);
  const clickedAt = Date.now();
  await page.getByRole("button", { name: "Join now" }).click();
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLVideoElement>("video[data-peer-id]:not([data-self])")].some((v) => v.getVideoPlaybackQuality().totalVideoFrames > 0),
    undefined,
    {
      timeout: FIRST_FRAME_BOUND_MS,
    },
  );
  return Date.now() - clickedAt;
}

for (const { mode, p2pMaxParticipants } of [
  { mode: "P2P", p2pMaxParticipants: 3 },
  { mode: "SFU", p2pMaxParticipants: 0 },
] as const) {
  test(`${mode}: with a TURN server that is down, a 2-person call on loopback connects, decodes and shows no notice`, { timeout: 180_000 }, async () => {
    const host = await newUser(stack.web.url, "Dana Down");
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "Dead TURN", maxParticipants: 10, p2pMaxParticipants });
    const a = await newPage(stack.browser, stack.contexts, host.cookie);
    const b = await newPage(stack.browser, stack.contexts);
    await Promise.all([recordPeerConnections(a), recordPeerConnections(b)]);
    const alerts = await Promise.all([recordAlerts(a), recordAlerts(b)]);
    await join(a, stack.web.url, meeting.code);
    const joinToFirstFrameMs = await timedJoin(b, stack.web.url, meeting.code, "Dirk Guest");
    const gatheringAtFirstFrameMs = await gatheringTimes(b);
    await Promise.all([expectDecoding(a, 1, 60_000), expectDecoding(b, 1, 60_000)]);
    await Promise.all([connectionState(a, "Connected"), connectionState(b, "Connected")]);
    expect((await topology(a)).mode).toBe(mode);
    // the browsers were handed the dead servers, and connected directly (host candidates) without them
    const dead = new Set([...DEAD_TURN_URLS, `stun:127.0.0.1:${refusedPort}`, `stun:127.0.0.1:${silent.port}`]);
    for (const page of [a, b]) {
      const configured = await iceServerUrls(page);
      expect(configured.length).toBeGreaterThan(0);
      for (const urls of configured) expect(new Set(urls)).toEqual(dead);
      expect(new Set((await selectedPairs(page)).map((pair) => pair.localType))).toEqual(new Set(["host"]));
    }
    for (const read of alerts) expect(await read()).toEqual([]);
    console.log(JSON.stringify({ test: "turn-down", mode, joinToFirstFrameMs, gatheringAtFirstFrameMs }));
  });
}
