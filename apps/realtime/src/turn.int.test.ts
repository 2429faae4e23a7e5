// coturn checks the credentials the product issues: coturn's own client (turnutils_uclient, a second client
// independent of the browsers) allocates a relay with what the product issues (issueIceServers), over UDP, TCP
// and TLS, and is refused with a forged password, an expired username or another user's name.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Redis } from "ioredis";
import { issuedTurnCredential, startCoturn, turnAllocate, type TestCoturn, type TurnTransport } from "../../../tests/harness/coturn.ts";

const secret = randomBytes(24).toString("base64url");
// users of this run only: the quota counters live in the shared test Redis
const run = randomBytes(4).toString("hex");
let coturn: TestCoturn;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL!);
  coturn = await startCoturn({ secret });
});
afterAll(async () => {
  await coturn?.stop();
  redis?.disconnect();
});

async function issued(userId: string, nowMs = Date.now()): Promise<{ username: string; credential: string }> {
  const server = await issuedTurnCredential(redis, `${userId}-${run}`, { urls: coturn.urls, secret }, nowMs);
  expect(server.urls).toEqual(coturn.urls);
  return server;
}

const allocate = (transport: TurnTransport, credentials: { username: string; credential: string }) =>
  turnAllocate({ host: coturn.host, port: transport === "tls" ? coturn.tlsPort : coturn.port }, transport, credentials);

describe("coturn with the product's credentials", () => {
  test.each<TurnTransport>(["udp", "tcp", "tls"])("issued credentials allocate a relay over %s", async (transport) => {
    // a user of its own per transport: coturn counts allocations against user-quota per username
    const result = await allocate(transport, await issued(`user-${transport}`));
    expect(result.output).not.toContain("Cannot complete Allocation");
    expect(result.ok, result.output).toBe(true);
    // the relayed packets came back: the allocation was used, not only created
    expect(result.output).toMatch(/tot_recv_msgs=[1-9]/);
  });

  test("a password signed with another secret is refused", async () => {
    const { username } = await issued("user-1");
    const forged = createHmac("sha1", "not-the-secret").update(username).digest("base64");
    const result = await allocate("udp", { username, credential: forged });
    expect(result.ok).toBe(false);
    expect(result.output).toContain("Cannot complete Allocation");
  });

  test("credentials past their expiry are refused", async () => {
    // issued two lifetimes ago: the expiry in the username has passed, the signature is genuine
    const expired = await issued("user-1", Date.now() - 2 * 3600 * 1000);
    expect(Number(expired.username.split(":")[0])).toBeLessThan(Date.now() / 1000);
    const result = await allocate("udp", expired);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("Cannot complete Allocation");
  });

  test("another user's name with a genuine password is refused", async () => {
    const { username, credential } = await issued("user-1");
    const result = await allocate("udp", { username: username.replace(":user-1-", ":user-2-"), credential });
    expect(result.ok).toBe(false);
    expect(result.output).toContain("Cannot complete Allocation");
  });
});
