// Set up in every integration and end-to-end test file (vitest setupFiles): the file starts with full rate-limit
// buckets and first-time proof-of-work challenges. All files share one Redis and sign in from 127.0.0.1, so without this a file's limits depended on
// what the files before it spent (a guest sign-in limit drained by earlier files failed a later one). The admin
// dashboard's 15-minute window of random-chat matches starts empty too: the matches of files run 15 minutes earlier
// dropped out of it in the middle of a test that counted two new ones (CI: 68 before, 46 after a match).
import { Redis } from "ioredis";
import { beforeAll } from "vitest";

/**
 * The token buckets (packages/api/src/services/rateLimit.ts: `rl:{scope}:{key}`), the count of proof-of-work
 * challenges each caller was given lately (packages/challenge/src/keys.ts), which makes the next one harder, and the
 * per-minute match waits (packages/api/src/metrics/keys.ts).
 */
const SPENT = ["rl:*", "challenge:issued:*", "metrics:match-wait:*"];

beforeAll(async () => {
  const url = process.env.REDIS_URL;
  if (!url) return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const match of SPENT) for await (const keys of redis.scanStream({ match, count: 500 }) as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
});
