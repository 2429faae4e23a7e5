// Set up in every integration and end-to-end test file (vitest setupFiles): the file starts with full rate-limit
// buckets. All files share one Redis and sign in from 127.0.0.1, so without this a file's limits depended on
// what the files before it spent (a guest sign-in limit drained by earlier files failed a later one).
import { Redis } from "ioredis";
import { beforeAll } from "vitest";

/** The token buckets' key prefix (packages/api/src/services/rateLimit.ts: `rl:{scope}:{key}`). */
const BUCKETS = "rl:*";

beforeAll(async () => {
  const url = process.env.REDIS_URL;
  if (!url) return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: BUCKETS, count: 500 }) as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
});
