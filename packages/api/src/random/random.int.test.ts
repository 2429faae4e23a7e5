// Random chat through two realtime nodes on one Redis, as pages use it: guests press Start, Next and Stop, are
// matched by their preferences (widened after RANDOM_WIDEN_MS), talk to their partner only, and are never matched
// with someone moderation told us to keep them from.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createRedis } from "../services/redis.ts";
import { RandomCrowd, type RandomPerson } from "../../../../tests/harness/randomChat.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";
import { RandomMatchStore } from "./matchStore.ts";
import type { Preferences } from "./preferences.ts";

const WIDEN_MS = 1500;
let web: WebServer;
let nodes: RealtimeServer[];
const redis = createRedis({ url: process.env.REDIS_URL! }, "random-int-test");
const store = new RandomMatchStore(redis);
let crowd: RandomCrowd;

// every guest here presses from one address, test after test: moderation's press limits (its own tests) would stop them
const env = { RANDOM_WIDEN_MS: String(WIDEN_MS), RATE_LIMIT_GUESTS_PER_HOUR: "100000", RATE_LIMIT_GLOBAL_PER_MIN: "100000", RATE_LIMIT_SCALE: "1000" };

beforeAll(async () => {
  web = await startWeb({ env });
  nodes = [await startRealtime({ allowedOrigins: [web.url], env }), await startRealtime({ allowedOrigins: [web.url], env })];
  crowd = new RandomCrowd(web, nodes);
}, 180_000);

afterEach(() => crowd.leaveAll());

afterAll(async () => {
  redis.disconnect();
  await Promise.all([...(nodes ?? []).map((n) => n.stop()), web?.stop()]);
});

const guest = (name: string, deviceId?: string): Promise<RandomPerson> => crowd.guest(name, deviceId);

const prefs = (preferences: Partial<Preferences> & Pick<Preferences, "region">): Omit<Preferences, "interests" | "textOnly"> & Partial<Preferences> => ({
  language: "en",
  ...preferences,
});
const start = (p: RandomPerson, preferences: Parameters<typeof prefs>[0]) => p.client.random.start.mutate({ deviceId: p.deviceId, preferences: prefs(preferences) });
const matchedWith = (p: RandomPerson) => p.matches().map((m) => m.partnerName);

describe("matching", () => {
  test("two guests are matched; both press Next and search again (not with each other); a third is matched with one of them", async () => {
    const [ana, ben, cyd] = [await guest("Ana"), await guest("Ben"), await guest("Cyd")];
    expect(await start(ana, { region: "europe", interests: ["chess", "jazz"] })).toEqual({ status: "searching" });
    await ana.waitFor("searching");
    const found = await start(ben, { region: "europe", interests: ["jazz", "chess", "go"] });
    expect(found).toMatchObject({ status: "matched" });
    const [forAna, forBen] = [await ana.waitFor("matched"), await ben.waitFor("matched")];
    expect(forAna).toMatchObject({ partnerName: "Ben", sharedInterests: ["chess", "jazz"], textOnly: false, youOffer: false });
    expect(forBen).toMatchObject({ partnerName: "Ana", sharedInterests: ["chess", "jazz"], youOffer: true, matchId: forAna.matchId });
    expect(forBen.matchId).toBe((found as { matchId: string }).matchId);
    expect(Array.isArray(forAna.iceServers)).toBe(true);

    // Ana skips: Ben hears that his partner left, then skips too
    const anaFrom = ana.events.length;
    expect(await ana.client.random.next.mutate({ matchId: forAna.matchId })).toEqual({ status: "searching" });
    await ben.waitFor("partnerLeft", { where: (e) => e.matchId === forAna.matchId });
    expect(await ben.client.random.next.mutate({})).toEqual({ status: "searching" });
    await ana.waitFor("searching", { from: anaFrom });

    // Cyd is matched with Ana, who has waited longest; Ben keeps searching: the same two are not matched again soon
    const cydFound = await start(cyd, { region: "europe", interests: ["chess"] });
    expect(cydFound).toMatchObject({ status: "matched" });
    expect((await cyd.waitFor("matched")).partnerName).toBe("Ana");
    await ana.waitFor("matched", { from: anaFrom });
    expect(matchedWith(ana)).toEqual(["Ben", "Cyd"]);
    expect(matchedWith(ben)).toEqual(["Ana"]);
    expect((await store.findMatch(forAna.matchId))?.endedAt).toEqual(expect.any(Number));
  });

  test("preferences hold while a match within them exists; after the wait they widen, and the events say so", async () => {
    const [ida, joe, kim] = [await guest("Ida"), await guest("Joe"), await guest("Kim")];
    await start(ida, { region: "asia", language: "ja", interests: ["anime"] });
    // another region, then another language, then no shared interest: none is a match yet
    await start(joe, { region: "oceania", language: "ja", interests: ["anime"] });
    await start(kim, { region: "asia", language: "ko", interests: ["anime"] });
    const lou = await guest("Lou");
    await start(lou, { region: "asia", language: "ja", interests: ["surfing"] });
    // Max fits Ida's preferences exactly and is matched with her, though the others waited as long
    const max = await guest("Max");
    expect(await start(max, { region: "asia", language: "ja", interests: ["anime", "tea"] })).toMatchObject({ status: "matched" });
    expect(await max.waitFor("matched")).toMatchObject({ partnerName: "Ida", sharedInterests: ["anime"] });
    // the others accept any interests first (still no pair: each differs from each in region or language), then anyone
    // (a node busy past the second step widens straight to stage 2)
    for (const p of [joe, kim, lou]) expect(await p.waitFor("widened")).toEqual({ type: "widened", stage: expect.any(Number) });
    // three people: two are matched once they accept anyone, the third waits (alone)
    const widened = () => [joe, kim, lou].filter((p) => p.matches().length > 0);
    await expect.poll(() => widened().length, { timeout: 30_000 }).toBe(2);
    expect(widened()[0]!.matches()[0]!.matchId).toBe(widened()[1]!.matches()[0]!.matchId);
    for (const p of widened()) expect(p.events.some(({ event }) => event.type === "widened" && event.stage === 2)).toBe(true);
  });

  test("text-only people are matched with each other only", async () => {
    const [tia, vic, tom] = [await guest("Tia"), await guest("Vic"), await guest("Tom")];
    await start(tia, { region: "africa", textOnly: true });
    await start(vic, { region: "africa" });
    // Vic (camera) and Tia stay apart even once both accept anyone; Tom (text-only) meets Tia
    await vic.waitFor("widened", { where: (e) => e.stage === 2, timeoutMs: 30_000 });
    await tia.waitFor("widened", { where: (e) => e.stage === 2, timeoutMs: 30_000 });
    expect(await start(tom, { region: "africa", textOnly: true })).toMatchObject({ status: "matched" });
    expect(await tia.waitFor("matched")).toMatchObject({ partnerName: "Tom", textOnly: true, iceServers: [] });
    expect(vic.matches()).toEqual([]);
  });

  test("avoidPair: the two are never matched again, by account or by device, even once both accept anyone", async () => {
    const [amy, bob] = [await guest("Amy"), await guest("Bob")];
    await store.avoidPair({ userId: amy.userId, deviceId: amy.deviceId, ip: "127.0.0.1" }, { userId: bob.userId, deviceId: bob.deviceId, ip: "127.0.0.1" });
    await start(amy, { region: "europe" });
    // the same region, language and no interests: without avoidPair they would be matched at once
    expect(await start(bob, { region: "europe" })).toEqual({ status: "searching" });
    await bob.client.random.stop.mutate();
    // Bob comes back as a new guest on the same device
    const bobAgain = await guest("Bob again", bob.deviceId);
    expect(await start(bobAgain, { region: "europe" })).toEqual({ status: "searching" });
    await amy.waitFor("widened", { where: (e) => e.stage === 2, timeoutMs: 30_000 });
    await bobAgain.waitFor("widened", { where: (e) => e.stage === 2, timeoutMs: 30_000 });
    // both accept anyone now, and still: Cat, arriving, is matched with Amy (the longest waiting); Bob's device waits
    const cat = await guest("Cat");
    expect(await start(cat, { region: "europe" })).toMatchObject({ status: "matched" });
    expect((await cat.waitFor("matched")).partnerName).toBe("Amy");
    await amy.waitFor("matched");
    expect(matchedWith(amy)).toEqual(["Cat"]);
    expect(bobAgain.matches()).toEqual([]);
  });
});

describe("the call between partners", () => {
  test("signals, messages and reactions reach the partner only; a forged match id changes nothing", async () => {
    const [eve, fay, gus, hal] = [await guest("Eve"), await guest("Fay"), await guest("Gus"), await guest("Hal")];
    await start(eve, { region: "north-america" });
    await start(fay, { region: "north-america" });
    const match = await eve.waitFor("matched");
    await start(gus, { region: "north-america" });
    await start(hal, { region: "north-america" });
    const other = await gus.waitFor("matched");

    await fay.client.random.signal.mutate({ matchId: match.matchId, signal: { description: { type: "offer", sdp: "v=0\r\n" } } });
    expect(await eve.client.random.send.mutate({ matchId: match.matchId, text: "  hi there " })).toEqual({ at: expect.any(Number) });
    await eve.client.random.react.mutate({ matchId: match.matchId, emoji: "👋" });
    expect(await eve.waitFor("signal")).toMatchObject({ matchId: match.matchId, signal: { description: { type: "offer" } } });
    expect(await fay.waitFor("message")).toMatchObject({ matchId: match.matchId, text: "hi there" });
    expect(await fay.waitFor("reaction")).toMatchObject({ emoji: "👋" });

    // a long call refreshes its ICE servers: only the two in it get them
    expect(await eve.client.random.iceServers.query({ matchId: match.matchId })).toMatchObject({ iceServers: expect.any(Array), expiresInS: expect.any(Number) });
    // Gus names Eve's match: refused, nothing reaches Eve or Fay
    const before = [eve.events.length, fay.events.length];
    for (const call of [
      () => gus.client.random.send.mutate({ matchId: match.matchId, text: "let me in" }),
      () => gus.client.random.signal.mutate({ matchId: match.matchId, signal: { candidate: { candidate: "", sdpMid: "0", sdpMLineIndex: 0 } } }),
      () => gus.client.random.react.mutate({ matchId: match.matchId, emoji: "👍" }),
      () => gus.client.random.next.mutate({ matchId: match.matchId }),
      () => gus.client.random.iceServers.query({ matchId: match.matchId }),
    ]) {
      await expect(call()).rejects.toMatchObject({ data: { code: "NOT_FOUND" }, message: expect.stringMatching(/not your current match/) });
    }
    await expect(eve.client.random.react.mutate({ matchId: match.matchId, emoji: "💩" as "👍" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(eve.client.random.send.mutate({ matchId: match.matchId, text: "x".repeat(1001) })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    // Gus's own match goes on: his message arrives at Hal only
    await gus.client.random.send.mutate({ matchId: other.matchId, text: "only for Hal" });
    await hal.waitFor("message", { where: (e) => e.text === "only for Hal" });
    expect([eve.events.length, fay.events.length]).toEqual(before);
    expect(gus.matches()).toHaveLength(1);
  });

  test("bad presses: Start twice, Next without a partner; a clear error and nothing changes", async () => {
    const [ned, oda] = [await guest("Ned"), await guest("Oda")];
    await expect(ned.client.random.next.mutate({})).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: "You have not started random chat: press Start first.",
    });
    await start(ned, { region: "south-america", language: "es" });
    await ned.waitFor("searching");
    const since = ned.events.length;
    await expect(start(ned, { region: "europe" })).rejects.toMatchObject({ data: { code: "CONFLICT" }, message: expect.stringMatching(/already started: you are searching/) });
    await expect(ned.client.random.next.mutate({})).rejects.toMatchObject({ data: { code: "PRECONDITION_FAILED" }, message: expect.stringMatching(/still searching/) });
    // still searching in South America in Spanish: Oda (same) is matched with him at once
    expect(await start(oda, { region: "south-america", language: "es" })).toMatchObject({ status: "matched" });
    await ned.waitFor("matched", { from: since });
    expect(ned.events.slice(since).map(({ event }) => event.type)).toEqual(["matched"]);
    await expect(start(ned, { region: "south-america", language: "es" })).rejects.toMatchObject({ data: { code: "CONFLICT" }, message: expect.stringMatching(/in a chat/) });
  });

  test("a partner whose socket closes, or whom moderation removes, leaves: the other is told", async () => {
    const [pia, quinn, rae, sam] = [await guest("Pia"), await guest("Quinn"), await guest("Rae"), await guest("Sam")];
    await start(pia, { region: "oceania" });
    await start(quinn, { region: "oceania" });
    const first = await pia.waitFor("matched");
    await quinn.close();
    await pia.waitFor("partnerLeft", { where: (e) => e.matchId === first.matchId });

    await start(rae, { region: "oceania", language: "mi" });
    await start(sam, { region: "oceania", language: "mi" });
    const second = await rae.waitFor("matched");
    await store.removePerson(sam.userId);
    await rae.waitFor("partnerLeft", { where: (e) => e.matchId === second.matchId });
    expect(await sam.waitFor("ended")).toEqual({ type: "ended", reason: "removed" });
    const record = await store.findMatch(second.matchId);
    expect(record).toMatchObject({ a: { userId: sam.userId, deviceId: sam.deviceId }, b: { userId: rae.userId, deviceId: rae.deviceId }, endedAt: expect.any(Number) });
    expect(await store.findMatch("00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
