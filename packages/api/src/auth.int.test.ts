// Rate limits as a user meets them, through the real web app, PostgreSQL and Redis.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startRedis, type RedisServer } from "../../../scripts/lib/redis.ts";
import { register, signIn, uniqueEmail } from "../../../tests/harness/clients.ts";
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

test("the 6th sign-in from one network within a minute is refused with the time to wait", async () => {
  const email = uniqueEmail();
  const password = "a long enough password";
  // (this registration counts against the IP's 3 per hour)
  await register(web.url, { name: "Rate Limited", email, password });
  const attempts = [];
  // two wrong passwords: below the failures that ask for a challenge
  for (let i = 0; i < 5; i++) attempts.push(await signIn(web.url, { email, password: i < 2 ? "wrong password" : password }));
  expect(attempts.map((a) => a.error)).toEqual(["Wrong email or password.", "Wrong email or password.", null, null, null]);

  const sixth = await signIn(web.url, { email, password });
  expect(sixth.ok).toBe(false);
  expect(sixth.error).toMatch(/^Too many sign-in attempts\b.*Try again in \d+ seconds\.$/);
});

test("the 4th registration from one IP within an hour is refused with TOO_MANY_REQUESTS", async () => {
  // one registration was used by the first test; use up the rest
  await register(web.url, { name: "Second", email: uniqueEmail(), password: "password-2-long" });
  await register(web.url, { name: "Third", email: uniqueEmail(), password: "password-3-long" });
  await expect(register(web.url, { name: "Fourth", email: uniqueEmail(), password: "password-4-long" })).rejects.toMatchObject({
    data: { code: "TOO_MANY_REQUESTS", retryAfterMs: expect.any(Number) },
    message: expect.stringMatching(/^Too many registrations from your network\. Try again in \d+ minutes\.$/),
  });
});
