// coturn checks the credentials the product issues: coturn's own client (turnutils_uclient, a second client
// independent of the browsers) allocates a relay with what turnCredentials() hands out, over UDP, TCP and TLS,
// and is refused with a forged password or an expired username.
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { turnCredentials } from "../../../packages/api/src/services/turnCredentials.ts";
import { startCoturn, turnAllocate, type TestCoturn, type TurnTransport } from "../../../tests/harness/coturn.ts";

const secret = randomBytes(24).toString("base64url");
let coturn: TestCoturn;

beforeAll(async () => {
  coturn = await startCoturn({ secret });
});
afterAll(async () => {
  await coturn?.stop();
});

function issued(userId: string, nowMs = Date.now()): { username: string; credential: string } {
  const [server] = turnCredentials(userId, nowMs, { urls: coturn.urls, secret }).iceServers;
  expect(server?.urls).toEqual(coturn.urls);
  return { username: server!.username!, credential: server!.credential! };
}

const allocate = (transport: TurnTransport, credentials: { username: string; credential: string }) =>
  turnAllocate({ host: coturn.host, port: transport === "tls" ? coturn.tlsPort : coturn.port }, transport, credentials);

describe("coturn with the product's credentials", () => {
  test.each<TurnTransport>(["udp", "tcp", "tls"])("issued credentials allocate a relay over %s", async (transport) => {
    // a user of its own per transport: coturn counts allocations against user-quota per username
    const result = await allocate(transport, issued(`user-${transport}`));
    expect(result.output).not.toContain("Cannot complete Allocation");
    expect(result.ok, result.output).toBe(true);
    // the relayed packets came back: the allocation was used, not only created
    expect(result.output).toMatch(/tot_recv_msgs=[1-9]/);
  });

  test("a password signed with another secret is refused", async () => {
    const { username } = issued("user-1");
    const forged = createHmac("sha1", "not-the-secret").update(username).digest("base64");
    const result = await allocate("udp", { username, credential: forged });
    expect(result.ok).toBe(false);
    expect(result.output).toContain("Cannot complete Allocation");
  });

  test("credentials past their expiry are refused", async () => {
    // issued two lifetimes ago: the expiry in the username has passed, the signature is genuine
    const expired = issued("user-1", Date.now() - 2 * 3600 * 1000);
    expect(Number(expired.username.split(":")[0])).toBeLessThan(Date.now() / 1000);
    const result = await allocate("udp", expired);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("Cannot complete Allocation");
  });

  test("another user's name with a genuine password is refused", async () => {
    const { username, credential } = issued("user-1");
    const result = await allocate("udp", { username: username.replace(":user-1", ":user-2"), credential });
    expect(result.ok).toBe(false);
    expect(result.output).toContain("Cannot complete Allocation");
  });
});
