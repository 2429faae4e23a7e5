// Rate limits as a user meets them, through the real web app, PostgreSQL and Redis.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startRedis, type RedisServer } from "../../../scripts/lib/redis.ts";
import { signIn, uniqueEmail, webClient } from "../../../tests/harness/clients.ts";
import { startWeb, type WebServer } from "../../../tests/harness/servers.ts";

let web: WebServer;
let redis: RedisServer;
let dir: string;

beforeAll(async () => {
  // a Redis of its own: every test signs in from 127.0.0.1, and these buckets must start full
  dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-ratelimit-"));
  redis = await startRedis({ dataDir: dir, port: await freePort(), reuseExisting: false });
  // the product's defaults: 5 sign-ins per minute, 3 registrations per hour per IP
  web = await startWeb({ env: { REDIS_URL: redis.url, RATE_LIMIT_SIGNIN_PER_MIN: "5", RATE_LIMIT_REGISTER_PER_HOUR: "3" } });
});

afterAll(async () => {
  await web?.stop();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

test("the 6th sign-in within a minute is refused with the time to wait", async () => {
  const email = uniqueEmail();
  const password = "a long enough password";
  // (this registration counts against the IP's 3 per hour)
  await webClient(web.url).auth.register.mutate({ name: "Rate Limited", email, password });
  const attempts = [];
  for (let i = 0; i < 5; i++) attempts.push(await signIn(web.url, { email, password: i === 4 ? password : "wrong password" }));
  expect(attempts.slice(0, 4).map((a) => a.error)).toEqual(Array(4).fill("Wrong email or password."));
  expect(attempts[4]).toMatchObject({ ok: true, error: null });

  const sixth = await signIn(web.url, { email, password });
  expect(sixth.ok).toBe(false);
  expect(sixth.error).toMatch(/^Too many sign-in attempts\b.*Try again in \d+ seconds\.$/);
});

test("the 4th registration from one IP within an hour is refused with TOO_MANY_REQUESTS", async () => {
  const client = webClient(web.url);
  // one registration was used by the first test; use up the rest
  await client.auth.register.mutate({ name: "Second", email: uniqueEmail(), password: "password-2-long" });
  await client.auth.register.mutate({ name: "Third", email: uniqueEmail(), password: "password-3-long" });
  await expect(client.auth.register.mutate({ name: "Fourth", email: uniqueEmail(), password: "password-4-long" })).rejects.toMatchObject({
    data: { code: "TOO_MANY_REQUESTS", retryAfterMs: expect.any(Number) },
    message: expect.stringMatching(/^Too many registrations from your network\. Try again in \d+ minutes\.$/),
  });
});
