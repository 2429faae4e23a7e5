/// <reference lib="dom" />
// A realtime node without a media server (MEDIA_WORKERS=0): a small meeting runs on direct connections and
// says so; a join the mesh cannot carry says "Media server unavailable" and retries until the host lets the
// mesh grow ("P2P up to N people").
import { describe, expect, test } from "vitest";
import { newUser, webClient } from "../../../tests/harness/clients.ts";
import { cameraPreviewPlaying, connectionState, expectDecoding, join, newPage, poll, topology } from "./support/meetingPages.ts";
import { useMeetingStack } from "./support/stack.ts";

const stack = useMeetingStack({ realtimeEnv: { MEDIA_WORKERS: "0" } });

describe("no media server", () => {
  test("direct connections while the mesh can carry the meeting; beyond it a join retries until the host raises the limit", { timeout: 120_000 }, async () => {
    const host = await newUser(stack.web.url, "Hana Host");
    const meeting = await webClient(stack.web.url, host.cookie).meeting.create.mutate({ title: "No SFU", maxParticipants: 10, p2pMaxParticipants: 1 });
    const a = await newPage(stack.browser, stack.contexts, host.cookie);
    await join(a, stack.web.url, meeting.code);
    await a.locator("#media-server-warning", { hasText: "Media server unavailable — using direct connections" }).waitFor();
    expect(await a.locator("#media-mode").innerText()).toBe("Direct (P2P)");

    // a second person is more than the mesh limit (1) and there is no SFU: refused, and the page keeps trying
    const b = await newPage(stack.browser, stack.contexts);
    await b.goto(`${stack.web.url}/m/${meeting.code}?quality=low`);
    await b.getByLabel("Your name").fill("Bob Guest");
    await cameraPreviewPlaying(b);
    await b.getByRole("button", { name: "Join now" }).click();
    await b.locator("#join-status", { hasText: "Media server unavailable. Retrying…" }).waitFor();
    await b.waitForTimeout(4000);
    await b.locator("#join-status", { hasText: "Media server unavailable. Retrying…" }).waitFor({ timeout: 1000 });

    // the host lets the mesh grow to 2: B's next retry gets in, and they talk directly
    await a.getByLabel("P2P up to N people").selectOption("2");
    await connectionState(b, "Connected", 30_000);
    await Promise.all([expectDecoding(a, 1), expectDecoding(b, 1)]);
    const t = await poll("mesh connected", async () => {
      const t = await topology(b);
      return t.mode === "P2P" && !t.sfu && Object.values(t.mesh ?? {}).some((m) => m.connectionState === "connected") ? t : null;
    });
    expect(t.sfu).toBe(false);
    expect(await a.getByLabel("P2P up to N people").inputValue()).toBe("2");
  });
});
