import { expect, test } from "vitest";
import { BlockedDestination, isNonPublicAddress, resolveDestination } from "./address.ts";

test("private, loopback, link-local, mapped and reserved addresses are not public", () => {
  for (const address of [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd12:3456::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "64:ff9b::a00:1",
    "ff02::1",
    "not an address",
  ]) {
    expect(isNonPublicAddress(address), address).toBe(true);
  }
  for (const address of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "2a00:1450:4001::200e"]) {
    expect(isNonPublicAddress(address), address).toBe(false);
  }
});

const dns = (answers: Record<string, string[]>) =>
  (async (hostname: string) => {
    const found = answers[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  }) as unknown as typeof import("node:dns/promises").lookup;

test("a name is refused when any of its addresses is private, unless private addresses are allowed", async () => {
  const resolve = dns({ "hooks.example.com": ["93.184.216.34"], "sneaky.example.com": ["93.184.216.34", "10.0.0.5"], localhost: ["127.0.0.1", "::1"] });
  await expect(resolveDestination("hooks.example.com", false, resolve)).resolves.toEqual([{ address: "93.184.216.34", family: 4 }]);
  await expect(resolveDestination("sneaky.example.com", false, resolve)).rejects.toThrow(/sneaky\.example\.com \(10\.0\.0\.5\) is a private/);
  await expect(resolveDestination("localhost", false, resolve)).rejects.toBeInstanceOf(BlockedDestination);
  await expect(resolveDestination("localhost", true, resolve)).resolves.toHaveLength(2);
});

test("IP literals are checked without DNS; a name that does not resolve is refused", async () => {
  const resolve = dns({});
  await expect(resolveDestination("169.254.169.254", false, resolve)).rejects.toThrow(/169\.254\.169\.254 is a private/);
  await expect(resolveDestination("::1", false, resolve)).rejects.toBeInstanceOf(BlockedDestination);
  await expect(resolveDestination("8.8.8.8", false, resolve)).resolves.toEqual([{ address: "8.8.8.8", family: 4 }]);
  await expect(resolveDestination("typo.invalid", false, resolve)).rejects.toThrow(/does not resolve/);
});
