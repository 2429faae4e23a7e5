/// <reference lib="dom" />
// Small meetings as a P2P mesh (negotiated over the server's signal relay, healed by replacing a connection that
// stops carrying media) and the switch to the SFU when a 4th person joins, in real headless Chromium pages at
// 320x240@15 (two cores: at most four pages).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { freePort } from "../../../scripts/lib/ports.ts";
import { launchChromium } from "../../../tests/harness/browser.ts";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { healthDetails, startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";
import { expectDecoding, join, newPage, poll, sampleStalls, topology, videoFrames } from "./support/meetingPages.ts";

// Two realtime nodes on one Redis, each with a web server pointing its pages at it: A and C use node 1, B and
// D node 2 (the room lives on one media owner; the other node forwards).
let web: WebServer;
let web2: WebServer;
let realtime: RealtimeServer;
let realtime2: RealtimeServer;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  const [webPort, webPort2] = [await freePort(), await freePort()];
  const origins = [`http://localhost:${webPort}`, `http://localhost:${webPort2}`];
  const env = { P2P_RETURN_QUIET_MS: "3000" };
  [realtime, realtime2] = await Promise.all([startRealtime({ allowedOrigins: origins, env }), startRealtime({ allowedOrigins: origins, env })]);
  const [w, w2, b] = await Promise.allSettled([
    startWeb({ port: webPort, env: { REALTIME_PUBLIC_URL: realtime.wsUrl } }),
    startWeb({ port: webPort2, env: { REALTIME_PUBLIC_URL: realtime2.wsUrl } }),
    launchChromium(),
  ]);
  if (w.status === "fulfilled") web = w.value;
  if (w2.status === "fulfilled") web2 = w2.value;
  if (b.status === "fulfilled") browser = b.value;
  for (const r of [w, w2, b]) if (r.status === "rejected") throw r.reason;
});

afterEach(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  contexts = [];
});

afterAll(async () => {
  await Promise.allSettled([browser?.close(), web?.stop(), web2?.stop(), realtime?.stop(), realtime2?.stop()]);
});

async function createMeeting(hostCookie: string, p2pMaxParticipants = 3): Promise<string> {
  const meeting = await webClient(web.url, hostCookie).meeting.create.mutate({ title: "Mesh sync", maxParticipants: 10, p2pMaxParticipants });
  return meeting.code;
}

const modeText = (page: Page) => page.locator("#media-mode").innerText();

/** Every remote video arrives over a connected mesh connection, and the SFU carries nothing. */
async function expectMesh(page: Page, remotes: number): Promise<void> {
  const t = await poll("mesh connected", async () => {
    const t = await topology(page);
    const mesh = Object.values(t.mesh ?? {});
    return t.mode === "P2P" && !t.sfu && mesh.length === remotes && mesh.every((m) => m.connectionState === "connected") ? t : null;
  });
  expect(t.sfu).toBe(false);
}

describe("P2P mesh", () => {
  test(
    "two people on two realtime nodes talk directly; C and D join, the meeting moves to the SFU without a stall; glare cannot wedge a call; a connection that stops sending heals by itself",
    { timeout: 240_000 },
    async () => {
      const host = await newUser(web.url, "Hana Host");
      const code = await createMeeting(host.cookie);
      const a = await newPage(browser, contexts, host.cookie);
      const b = await newPage(browser, contexts);
      await join(a, web.url, code);
      expect(await modeText(a)).toBe("Direct (P2P)");
      const sockets: Record<string, string[]> = { b: [] };
      b.on("websocket", (ws) => sockets.b!.push(ws.url()));
      const bJoinedAt = Date.now();
      await join(b, web2.url, code, "Bob Guest");
      // both see each other over the mesh
      await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
      const firstFrameMs = Date.now() - bJoinedAt;
      await Promise.all([expectMesh(a, 1), expectMesh(b, 1)]);
      const meshA = await topology(a);
      console.log(`[p2p] first P2P frames on both sides ${firstFrameMs} ms after B clicked join; mesh ${JSON.stringify(meshA.mesh)}`);
      const statsB = (await b.evaluate(() => window.__qualmeet!.stats())) as Record<string, { camera?: { framesDecoded: number }; audio?: { packetsReceived: number } }>;
      const [aId, bId] = await Promise.all([a.evaluate(() => window.__qualmeet!.peerId!), b.evaluate(() => window.__qualmeet!.peerId!)]);
      expect(statsB[aId]?.camera?.framesDecoded ?? 0).toBeGreaterThan(0);
      expect(statsB[aId]?.audio?.packetsReceived ?? 0).toBeGreaterThan(0);
      expect(await b.locator("#media-mode").innerText()).toBe("Direct (P2P)");
      // B's socket is on the other node
      expect(sockets.b!.some((u) => u.startsWith(realtime2.wsUrl))).toBe(true);
      expect(sockets.b!.some((u) => u.startsWith(realtime.wsUrl))).toBe(false);
      if (process.env.P2P_SCREENSHOTS) await a.screenshot({ path: `${process.env.P2P_SCREENSHOTS}/p2p-host.png` });
      // the host sees the setting, a guest does not
      await expect(a.getByLabel("P2P up to N people").inputValue()).resolves.toBe("3");
      expect(await b.getByLabel("P2P up to N people").count()).toBe(0);

      // glare: both sides offer at the same moment; the call keeps (or gets back to) flowing frames
      if (process.env.MESH_DEBUG) console.log(`${Date.now() % 100000} --- glare`);
      const glareAt = Date.now();
      await Promise.all([a.evaluate(() => window.__qualmeet!.forceMeshOffer!()), b.evaluate(() => window.__qualmeet!.forceMeshOffer!())]);
      await poll("stable after glare", async () => {
        const [ta, tb] = await Promise.all([topology(a), topology(b)]);
        return [ta, tb].every((t) => Object.values(t.mesh ?? {}).every((m) => m.signalingState === "stable" && m.connectionState === "connected"));
      });
      const dump = async () => {
        for (const [n, p] of [
          ["A", a],
          ["B", b],
        ] as const)
          console.log(`[p2p] ${n}`, JSON.stringify(await topology(p)), JSON.stringify(await p.evaluate(() => window.__qualmeet!.stats())), JSON.stringify(await videoFrames(p)));
      };
      await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]).catch(async (error: unknown) => {
        await dump();
        throw error;
      });
      const healed = await Promise.all([topology(a), topology(b)]);
      console.log(
        `[p2p] after glare both sides decode again ${Date.now() - glareAt} ms after the offers (incl. a 1.5 s decoding window); replacements A ${JSON.stringify(Object.values(healed[0].mesh ?? {}).map((m) => m.replacements))} B ${JSON.stringify(Object.values(healed[1].mesh ?? {}).map((m) => m.replacements))}`,
      );

      // B's connection stops sending video with no signaling at all (what Chromium did after a rollback): A's
      // health check sees B's video not decoding, replaces the connection, B follows, and the picture comes back
      const replacedBefore = (await topology(a)).mesh?.[bId]?.replacements ?? 0;
      const frozenAt = Date.now();
      await b.evaluate(async () => {
        const mesh = (window as unknown as { __qualmeet: { engine: { topologySwitch: { mesh: { peers: Map<string, { pc: RTCPeerConnection }> } } } } }).__qualmeet.engine
          .topologySwitch.mesh;
        for (const peer of mesh.peers.values()) for (const sender of peer.pc.getSenders()) if (sender.track?.kind === "video") await sender.replaceTrack(null);
      });
      await poll("A replaced the connection that stopped carrying B's video", async () => ((await topology(a)).mesh?.[bId]?.replacements ?? 0) > replacedBefore);
      await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]).catch(async (error: unknown) => {
        await dump();
        throw error;
      });
      console.log(`[p2p] a silent sender healed: A decodes B again ${Date.now() - frozenAt} ms after B stopped sending (incl. a 1.5 s decoding window)`);

      // C joins: three is still a mesh
      const c = await newPage(browser, contexts);
      await join(c, web.url, code, "Cleo Guest");
      await Promise.all([expectDecoding(a, 2), expectDecoding(c, 2)]);
      await expectMesh(c, 2);

      // D joins: the meeting moves to the SFU; A samples its tiles every 100 ms meanwhile
      const stalls = await sampleStalls(a);
      const d = await newPage(browser, contexts);
      const dJoinAt = Date.now();
      await join(d, web2.url, code, "Dan Guest");
      await poll(
        "A on the SFU with the mesh closed",
        async () => {
          const t = await topology(a);
          return t.mode === "SFU" && t.sfu && !t.switching && !t.mesh ? t : null;
        },
        30_000,
      );
      const switched = await topology(a);
      const sw = switched.switches.find((s) => s.to === "SFU");
      await Promise.all([a, b, c, d].map((p) => expectDecoding(p, 3, 30_000)));
      const worst = await stalls.stop();
      // D's tile is new (it starts empty): the ones that matter are B's and C's, which A was already watching
      const dId = await d.evaluate(() => window.__qualmeet!.peerId!);
      const longest = Math.max(
        ...Object.entries(worst)
          .filter(([k]) => !k.startsWith(dId))
          .map(([, ms]) => ms),
      );
      console.log(
        `[p2p] switch to SFU on A took ${sw && sw.doneAt ? sw.doneAt - sw.startedAt : "?"} ms (D clicked join ${dJoinAt}); longest stall per tile on A: ${JSON.stringify(worst)}`,
      );
      for (const p of [a, b, c, d]) {
        const t = await poll(
          "SFU everywhere",
          async () => {
            const t = await topology(p);
            return t.mode === "SFU" && !t.switching && !t.mesh && t.sfu ? t : null;
          },
          30_000,
        );
        expect(t.mesh).toBeNull();
      }
      expect(await modeText(a)).toBe("Via media server (SFU)");
      if (process.env.P2P_SCREENSHOTS) await a.screenshot({ path: `${process.env.P2P_SCREENSHOTS}/sfu-host.png` });
      // A saw B and C the whole time: no tile stalled for more than a second
      expect(longest).toBeLessThan(1000);
      expect((await videoFrames(a)).length).toBe(3);

      // C and D leave: after the quiet period (3 s here) A and B return to a direct connection, again without a stall
      await Promise.all([c, d].map((p) => p.getByRole("button", { name: "Leave", exact: true }).click()));
      await poll("A sees only B", async () => (await videoFrames(a)).length === 1);
      const back = await sampleStalls(a);
      await poll(
        "A back on P2P with the SFU closed",
        async () => {
          const t = await topology(a);
          return t.mode === "P2P" && !t.switching && !t.sfu && t.mesh?.[bId]?.connectionState === "connected" ? t : null;
        },
        40_000,
      );
      await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
      // and the media owner holds no SFU transports or consumers for them any more
      await poll("SFU media released on the server", async () => {
        const rooms = await Promise.all([realtime, realtime2].map(async (n) => (await healthDetails(n)).media.rooms));
        return rooms.flat().some((r) => r.participants === 2 && r.transports === 0 && r.consumers === 0);
      });
      const backStalls = await back.stop();
      const toP2P = (await topology(a)).switches.find((s) => s.to === "P2P");
      console.log(`[p2p] switch back to P2P on A took ${toP2P?.doneAt ? toP2P.doneAt - toP2P.startedAt : "?"} ms; longest stall: ${JSON.stringify(backStalls)}`);
      expect(await modeText(a)).toBe("Direct (P2P)");
      expect(Math.max(...Object.values(backStalls))).toBeLessThan(1000);
    },
  );
});
