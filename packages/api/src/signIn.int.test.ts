// Guessing passwords as a person or a script meets it, through the real web app, PostgreSQL and Redis: a proof-of-work
// challenge after a few failures, a growing wait for the guesser's own address, never a lockout of the owner, and a
// registration that needs a solved challenge. The web app trusts this machine as its reverse proxy, so each "address"
// below is an X-Forwarded-For the proxy would have added.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { register, signIn, signInChallenge, uniqueEmail, webClient } from "../../../tests/harness/clients.ts";
import { startWeb, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
let db: PrismaClient;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!);
  web = await startWeb({ env: { WEB_TRUSTED_PROXIES: "127.0.0.1,::1" } });
});

afterAll(async () => {
  await web?.stop();
  await db?.$disconnect();
});

const WRONG = "Wrong email or password.";
const CHALLENGE_NEEDED = "This sign-in needs a quick check of your browser first. Please try again.";
const password = "correct horse battery";

/** A distinct documentation address per call, so tests never share a client. */
let nextHost = 1;
const newAddress = () => ({ "x-forwarded-for": `198.51.100.${nextHost++}` });

async function account(): Promise<string> {
  const email = uniqueEmail();
  await register(web.url, { name: "Guarded Gil", email, password });
  return email;
}

const guess = (email: string, from: Record<string, string>, extra: Record<string, string> = {}) => signIn(web.url, { email, password: "not it", ...extra }, "credentials", from);

test("after three wrong passwords the right one needs a solved challenge; a solution works once", async () => {
  const email = await account();
  const from = newAddress();
  expect(await signInChallenge(web.url, email, from)).toBe("");
  for (let i = 0; i < 3; i++) expect((await guess(email, from)).error).toBe(WRONG);

  // a script that does not solve the challenge is refused, right password or not
  expect(await signIn(web.url, { email, password }, "credentials", from)).toMatchObject({ ok: false, error: CHALLENGE_NEEDED });
  expect(await signIn(web.url, { email, password, challenge: "forged" }, "credentials", from)).toMatchObject({ ok: false, error: CHALLENGE_NEEDED });
  // both refusals are security events in the audit log, with the address (no account: it may not be one)
  const refusals = await db.auditLog.findMany({ where: { action: "user.signInRefused", ip: from["x-forwarded-for"] } });
  expect(refusals.map((entry) => [entry.targetId, entry.data])).toEqual([
    [null, { reason: "no solved challenge" }],
    [null, { reason: "no solved challenge" }],
  ]);
  // another address has no failures on this account: it needs no challenge
  expect(await signInChallenge(web.url, email, newAddress())).toBe("");

  const solved = await signInChallenge(web.url, email, from);
  expect(solved).not.toBe("");
  expect(await signIn(web.url, { email, password, challenge: solved }, "credentials", from)).toMatchObject({ ok: true, error: null });
  // the same solution again (a replay) is refused... though this address starts afresh after signing in
  for (let i = 0; i < 3; i++) await guess(email, from);
  expect(await signIn(web.url, { email, password, challenge: solved }, "credentials", from)).toMatchObject({ ok: false, error: CHALLENGE_NEEDED });
});

test("a guesser's own address waits longer and longer; the owner from their address signs in at once", async () => {
  const email = await account();
  const attacker = newAddress();
  const errors: Array<string | null> = [];
  // every try solves its challenge, as a determined script would
  for (let i = 0; i < 6; i++) errors.push((await guess(email, attacker, { challenge: await signInChallenge(web.url, email, attacker) })).error);
  expect(errors.slice(0, 5)).toEqual(Array(5).fill(WRONG));
  expect(errors[5]).toMatch(/^Too many failed sign-ins to this account from your network\. Try again in \d+ seconds\.$/);
  // even the right password waits: the guesser cannot tell
  expect((await signIn(web.url, { email, password, challenge: await signInChallenge(web.url, email, attacker) }, "credentials", attacker)).error).toMatch(/^Too many failed/);

  const owner = newAddress();
  expect(await signIn(web.url, { email, password }, "credentials", owner)).toMatchObject({ ok: true, error: null });
});

test("guesses from many addresses make the account's sign-ins solve a challenge, and never block the owner", async () => {
  const email = await account();
  for (let i = 0; i < 10; i++) expect((await guess(email, newAddress())).error).toBe(WRONG);
  const owner = newAddress();
  expect((await signIn(web.url, { email, password }, "credentials", owner)).error).toBe(CHALLENGE_NEEDED);
  const solved = await signInChallenge(web.url, email, owner);
  expect(await signIn(web.url, { email, password, challenge: solved }, "credentials", owner)).toMatchObject({ ok: true, error: null });
});

describe("registration", () => {
  test("needs a solved challenge, each used once", async () => {
    const client = webClient(web.url, "", newAddress());
    const input = { name: "Scripted Sam", email: uniqueEmail(), password };
    await expect(client.auth.register.mutate({ ...input, challenge: "not-solved" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const { challenge } = await client.auth.challenge.mutate({ purpose: "register" });
    expect(challenge).not.toBeNull();
    const { solveInNode } = await import("@qualmeet/challenge/node");
    const solved = await solveInNode(challenge!);
    await expect(client.auth.register.mutate({ ...input, challenge: solved })).resolves.toMatchObject({ email: input.email });
    await expect(client.auth.register.mutate({ ...input, email: uniqueEmail(), challenge: solved })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect(await db.user.count({ where: { email: input.email } })).toBe(1);
  });
});

test("the address comes from our proxy's X-Forwarded-For; a client cannot set the header our server passes to the app", async () => {
  const email = await account();
  const user = await db.user.findUniqueOrThrow({ where: { email } });
  await guess(email, { "x-forwarded-for": "192.0.2.44", "x-qualmeet-client-ip": "203.0.113.9" });
  const entries = await db.auditLog.findMany({ where: { action: "user.signInFailed", targetId: user.id } });
  expect(entries.map((e) => e.ip)).toEqual(["192.0.2.44"]);
});
