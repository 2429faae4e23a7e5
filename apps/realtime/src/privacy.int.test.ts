// "Nobody learns who uses the service" (issue 10), against the real web app, realtime node, PostgreSQL and Redis:
// people search finds names and exact addresses only, presence goes to contacts only, meeting codes cannot be
// tried at scale, /healthz keeps its details for operators, and names cannot hide characters.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { newUser, realtimeClient, register, signIn, webClient } from "../../../tests/harness/clients.ts";
import { watchOnline } from "../../../tests/harness/presenceWatch.ts";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../tests/harness/servers.ts";

const LOOKUPS_PER_MIN = 5;

let web: WebServer;
let realtime: RealtimeServer;

beforeAll(async () => {
  web = await startWeb({ env: { RATE_LIMIT_MEETING_LOOKUPS_PER_MIN: String(LOOKUPS_PER_MIN) } });
  realtime = await startRealtime({ allowedOrigins: [web.url] });
});

afterAll(async () => {
  await Promise.all([web?.stop(), realtime?.stop()]);
});

const tagged = (name: string, tag: string) => `${name} ${tag}`;

describe("user.search", () => {
  test("finds people by name or by their exact address, never by part of an address, and never shows addresses", async () => {
    const tag = randomUUID().slice(0, 8);
    const [ann, bob] = await Promise.all([newUser(web.url, tagged("Ann", tag)), newUser(web.url, tagged("Bob", tag))]);
    const search = (query: string) => webClient(web.url, ann.cookie).user.search.query({ query });

    expect(await search(tagged("bob", tag))).toEqual([{ id: bob.id, name: tagged("Bob", tag), isGuest: false }]);
    // the exact address, however it is typed
    expect(await search(` ${bob.email.toUpperCase()} `)).toEqual([{ id: bob.id, name: tagged("Bob", tag), isGuest: false }]);
    // any part of it: nothing
    const [local, domain] = bob.email.split("@") as [string, string];
    for (const part of [local, `@${domain}`, domain, bob.email.slice(0, -1), bob.email.slice(1), local.slice(5, 20)]) {
      expect(await search(part), part).toEqual([]);
    }
    // results name people, nothing more
    const found = await search(tag);
    expect(found.map((p) => p.id)).toEqual([bob.id]);
    expect(JSON.stringify(found)).not.toContain("@");
    expect(Object.keys(found[0]!).sort()).toEqual(["id", "isGuest", "name"]);
  });

  test("%, _ and \\ in a search match themselves, not everyone", async () => {
    const tag = randomUUID().slice(0, 8);
    const [searcher] = await Promise.all([
      newUser(web.url, tagged("Searcher", tag)),
      newUser(web.url, tagged("100% Pat", tag)),
      newUser(web.url, tagged("snake_case Sam", tag)),
      newUser(web.url, tagged("back\\slash Bea", tag)),
      newUser(web.url, tagged("Bob", tag)),
    ]);
    const search = async (query: string) => (await webClient(web.url, searcher.cookie).user.search.query({ query })).map((p) => p.name);

    // as wildcards these would match every name ending in the tag
    expect(await search(`%${tag}`)).toEqual([]);
    expect(await search(`B_b ${tag}`)).toEqual([]);
    expect(await search(`_`)).toSatisfy((names: string[]) => names.length > 0 && names.every((n) => n.includes("_")));
    expect(await search(`%`)).toSatisfy((names: string[]) => names.length > 0 && names.every((n) => n.includes("%")));
    // and literally they find the names that have them
    expect(await search(`100% Pat ${tag}`)).toEqual([tagged("100% Pat", tag)]);
    expect(await search(`snake_case`)).toContain(tagged("snake_case Sam", tag));
    expect(await search(`k\\s`)).toContain(tagged("back\\slash Bea", tag));
  });

  test("guests cannot search for people", async () => {
    const guest = await signIn(web.url, { name: "Gus Guest" }, "guest");
    await expect(webClient(web.url, guest.cookie).user.search.query({ query: "a" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });
});

describe("presence.online", () => {
  test("a person sees their contacts come online, and never someone they share no conversation with", async () => {
    const [ann, bob, stan, cleo, dora] = await Promise.all([
      newUser(web.url, "Ann"),
      newUser(web.url, "Bob"),
      newUser(web.url, "Stan"),
      newUser(web.url, "Cleo"),
      newUser(web.url, "Dora"),
    ]);
    await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
    await webClient(web.url, stan.cookie).chat.createDirect.mutate({ userId: cleo.id });
    const open = (user: { cookie: string }) => realtimeClient(realtime.wsUrl, { cookie: user.cookie, origin: web.url });
    const sockets = [ann, bob, stan, dora].map(open);
    const [annSees, stanSees] = [watchOnline(sockets[0]!, 15_000), watchOnline(sockets[2]!, 15_000)];
    try {
      await annSees.until((ids) => ids.includes(bob.id));
      // Stan's contact Cleo comes online after everyone above: once Stan sees her, he has been told all there is
      sockets.push(open(cleo));
      await stanSees.until((ids) => ids.includes(cleo.id));
      expect(stanSees.snapshots.flat()).not.toContain(ann.id);
      expect(stanSees.snapshots.flat()).not.toContain(bob.id);
      expect(annSees.snapshots.flat()).not.toContain(stan.id);
      expect(annSees.snapshots.flat()).not.toContain(dora.id);
      expect(annSees.snapshots.flat()).not.toContain(ann.id);

      // Dora (online all along) becomes Ann's contact: she appears without anyone coming or going
      await webClient(web.url, dora.cookie).chat.createDirect.mutate({ userId: ann.id });
      await annSees.until((ids) => ids.includes(dora.id) && ids.includes(bob.id));
    } finally {
      annSees.stop();
      stanSees.stop();
      await Promise.all(sockets.map((s) => s.close()));
    }
  });

  test("in a meeting's chat, which outlives the meeting, a stranger's presence is not shown; a contact's is", async () => {
    const [ann, bob, stan] = await Promise.all([newUser(web.url, "Ann"), newUser(web.url, "Bob"), newUser(web.url, "Stan")]);
    await webClient(web.url, ann.cookie).chat.createDirect.mutate({ userId: bob.id });
    const meeting = await webClient(web.url, ann.cookie).meeting.create.mutate({ title: "Open call" });
    const sockets = [ann, bob, stan].map((user) => realtimeClient(realtime.wsUrl, { cookie: user.cookie, origin: web.url }));
    try {
      let conversationId = "";
      for (const socket of sockets) {
        await socket.client.room.join.mutate({ code: meeting.code });
        conversationId = (await socket.client.chat.meetingConversation.mutate({ meetingId: meeting.id })).id;
      }
      const members = async () => (await webClient(web.url, ann.cookie).chat.get.query({ conversationId })).members;
      // all three are online (their sockets are open): Ann sees her contact Bob as online, never whether Stan is
      await expect.poll(async () => (await members()).find((m) => m.id === bob.id)?.online, { timeout: 15_000 }).toBe(true);
      expect((await members()).find((m) => m.id === stan.id)).toMatchObject({ online: false, lastSeenAt: null });
    } finally {
      await Promise.all(sockets.map((s) => s.close()));
    }
  });

  test("a guest is told nothing about who is online", async () => {
    const guest = await signIn(web.url, { name: "Gail Guest" }, "guest");
    const socket = realtimeClient(realtime.wsUrl, { cookie: guest.cookie, origin: web.url });
    const guestSees = watchOnline(socket, 15_000);
    try {
      await expect.poll(() => guestSees.error?.data?.code, { timeout: 15_000 }).toBe("FORBIDDEN");
      expect(guestSees.snapshots).toEqual([]);
    } finally {
      guestSees.stop();
      await socket.close();
    }
  });
});

test("meeting codes tried from one network are limited per minute, through the API and the meeting page alike", async () => {
  const host = await newUser(web.url);
  const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Guess me" });
  const anonymous = webClient(web.url);
  const unknown = () => `${randomUUID().replace(/[^a-hj-km-np-z2-9]/g, "")}zzzzzzzz`.slice(0, 8);
  const refusals: string[] = [];
  for (let i = 0; i < LOOKUPS_PER_MIN + 2; i++) {
    refusals.push(
      await anonymous.meeting.exists.query({ code: unknown() }).then(
        () => "found",
        (e: { data: { code: string } }) => e.data.code,
      ),
    );
  }
  // the bucket may hold a token refilled meanwhile (one per 12 s), never more
  expect(refusals.filter((code) => code === "NOT_FOUND").length).toBeLessThanOrEqual(LOOKUPS_PER_MIN + 1);
  expect(refusals.at(-1)).toBe("TOO_MANY_REQUESTS");
  // now even a real code is refused from this address, signed in or not, and whatever X-Forwarded-For claims
  await expect(webClient(web.url, host.cookie).meeting.get.query({ code: meeting.code })).rejects.toMatchObject({
    data: { code: "TOO_MANY_REQUESTS" },
    message: expect.stringMatching(/^Too many meeting codes tried from your network\. Try again in \d+ seconds\.$/),
  });
  const page = await fetch(`${web.url}/m/${meeting.code}`, { headers: { "x-forwarded-for": "203.0.113.7" } });
  expect(await page.text()).toContain("Too many meeting codes");
});

describe("health", () => {
  const bare = ["database", "redis", "status"];

  test("/healthz and /api/health say only whether they are up; the realtime details need the operators' token", async () => {
    const read = async (url: string, authorization?: string) => {
      const res = await fetch(url, { headers: authorization ? { authorization } : {} });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const healthz = `${realtime.httpUrl}/healthz`;
    for (const authorization of [undefined, "Bearer wrong-token-of-some-length", `Basic ${process.env.HEALTH_DETAILS_TOKEN}`]) {
      const { status, body } = await read(healthz, authorization);
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(bare);
    }
    const detailed = await read(healthz, `Bearer ${process.env.HEALTH_DETAILS_TOKEN}`);
    expect(detailed.body).toMatchObject({ status: "ok", nodeId: expect.any(String), media: { rooms: expect.any(Array) } });
    expect(Object.keys((await read(`${web.url}/api/health`)).body).sort()).toEqual(bare);
  });
});

test("names that hide characters or reverse text are refused at registration and guest sign-in", async () => {
  await expect(register(web.url, { name: "Ann\u202Egnp.exe", email: `user-${randomUUID()}@example.test`, password: "correct horse battery" })).rejects.toMatchObject({
    data: { code: "BAD_REQUEST" },
    message: "name: Names cannot contain invisible characters or characters that change the direction of text (found U+202E).",
  });
  const guest = await signIn(web.url, { name: "A\u200Bdmin" }, "guest");
  expect(guest).toMatchObject({ ok: false, error: "Names cannot contain invisible characters or characters that change the direction of text (found U+200B)." });
});
