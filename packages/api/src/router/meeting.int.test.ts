// Meetings and accounts through the web app's tRPC endpoint, as the pages and other clients use them.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { newUser, register, signIn, uniqueEmail, webClient } from "../../../../tests/harness/clients.ts";
import { startWeb, type WebServer } from "../../../../tests/harness/servers.ts";

let web: WebServer;
beforeAll(async () => {
  web = await startWeb();
});
afterAll(async () => {
  await web?.stop();
});

describe("meetings", () => {
  test("a host creates meetings: 8-character code, title, limit and the mode chosen from the limit", async () => {
    const host = await newUser(web.url, "Hana Host");
    const api = webClient(web.url, host.cookie);
    const big = await api.meeting.create.mutate({ title: "Weekly sync", maxParticipants: 25 });
    expect(big).toMatchObject({ title: "Weekly sync", maxParticipants: 25, mode: "SFU", isHost: true, status: "SCHEDULED", host: { name: "Hana Host" } });
    expect(big.code).toMatch(/^[a-z2-9]{8}$/);
    const small = await api.meeting.create.mutate({ maxParticipants: 2 });
    expect(small).toMatchObject({ title: "Hana Host's meeting", mode: "P2P" });
    expect(small.code).not.toBe(big.code);
  });

  test("anyone signed in finds a meeting by its code however it is typed; unknown codes are NOT_FOUND", async () => {
    const host = await newUser(web.url);
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({ title: "Lookup" });
    const guest = await signIn(web.url, { name: "Gus Guest" }, "guest");
    const asGuest = webClient(web.url, guest.cookie);
    const typed = `${meeting.code.slice(0, 4).toUpperCase()}-${meeting.code.slice(4)}`;
    // nobody in it yet: it starts as a P2P mesh
    expect(await asGuest.meeting.get.query({ code: typed })).toMatchObject({ id: meeting.id, title: "Lookup", isHost: false, live: { participants: 0, mode: "P2P" } });
    await expect(asGuest.meeting.get.query({ code: "zzzzzzzz" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" }, message: "There is no meeting with the code zzzzzzzz." });
  });

  test("my meetings lists the newest first, page by page", async () => {
    const host = await newUser(web.url);
    const api = webClient(web.url, host.cookie);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await api.meeting.create.mutate({ title: `M${i}` }));
    const first = await api.meeting.listMine.query({ limit: 3 });
    expect(first.items.map((m) => m.title)).toEqual(["M4", "M3", "M2"]);
    const second = await api.meeting.listMine.query({ limit: 3, cursor: first.nextCursor });
    expect(second.items.map((m) => m.title)).toEqual(["M1", "M0"]);
    expect(second.nextCursor).toBeNull();
    // someone else's meetings are not mine
    const other = await newUser(web.url);
    expect((await webClient(web.url, other.cookie).meeting.listMine.query()).items).toEqual([]);
  });

  test("only the host ends a meeting", async () => {
    const host = await newUser(web.url);
    const other = await newUser(web.url);
    const meeting = await webClient(web.url, host.cookie).meeting.create.mutate({});
    await expect(webClient(web.url, other.cookie).meeting.end.mutate({ code: meeting.code })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: "Only the host can end this meeting.",
    });
    const ended = await webClient(web.url, host.cookie).meeting.end.mutate({ code: meeting.code });
    expect(ended.status).toBe("ENDED");
    expect(ended.endedAt).toBeInstanceOf(Date);
  });
});

describe("who may call what", () => {
  test("signed-out callers get UNAUTHORIZED; guests cannot reach account or admin procedures; users cannot reach admin", async () => {
    const anonymous = webClient(web.url);
    expect(await anonymous.auth.me.query()).toBeNull();
    await expect(anonymous.meeting.listMine.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });

    const guest = webClient(web.url, (await signIn(web.url, { name: "Gia" }, "guest")).cookie);
    expect(await guest.auth.me.query()).toMatchObject({ name: "Gia", isGuest: true, email: null });
    for (const call of [() => guest.meeting.create.mutate({}), () => guest.user.updateProfile.mutate({ name: "x" }), () => guest.admin.overview.query()]) {
      await expect(call()).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: expect.stringMatching(/guests cannot/i) });
    }

    const user = webClient(web.url, (await newUser(web.url)).cookie);
    await expect(user.admin.overview.query()).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message: "Only administrators can do this." });
  });

  test("a forged cookie is simply signed out", async () => {
    const forged = webClient(web.url, "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..forged.forged.forged");
    expect(await forged.auth.me.query()).toBeNull();
  });
});

describe("bad input", () => {
  test("malformed input is BAD_REQUEST naming the field", async () => {
    await expect(register(web.url, { name: "Ann", email: "not-an-email", password: "long enough" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", field: "email" },
      message: "email: Enter a valid email address.",
    });
    const user = webClient(web.url, (await newUser(web.url)).cookie);
    await expect(user.meeting.create.mutate({ maxParticipants: 1 })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", field: "maxParticipants" },
      message: "maxParticipants: A meeting needs room for at least 2 people.",
    });
    await expect(user.meeting.get.query({ code: "nope" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST", field: "code" } });
  });

  test("a duplicate email is a CONFLICT on the email field, and the first account is untouched", async () => {
    const email = uniqueEmail();
    await register(web.url, { name: "First", email, password: "first password" });
    await expect(register(web.url, { name: "Second", email: email.toUpperCase(), password: "second password" })).rejects.toMatchObject({
      data: { code: "CONFLICT", field: "email" },
      message: "An account with this email already exists. Sign in instead.",
    });
    expect((await signIn(web.url, { email, password: "first password" })).ok).toBe(true);
    expect((await signIn(web.url, { email, password: "second password" })).error).toBe("Wrong email or password.");
  });

  test("a wrong password and an unknown email get the same message", async () => {
    const me = await newUser(web.url);
    expect(await signIn(web.url, { email: me.email, password: "not my password" })).toMatchObject({ ok: false, error: "Wrong email or password." });
    expect(await signIn(web.url, { email: uniqueEmail(), password: "not my password" })).toMatchObject({ ok: false, error: "Wrong email or password." });
  });

  test("profile updates are validated and take effect", async () => {
    const me = await newUser(web.url, "Old Name");
    const api = webClient(web.url, me.cookie);
    await expect(api.user.updateProfile.mutate({ name: "  " })).rejects.toMatchObject({ data: { code: "BAD_REQUEST", field: "name" } });
    await api.user.updateProfile.mutate({ name: "New Name" });
    expect(await api.auth.me.query()).toMatchObject({ name: "New Name" });
  });
});
