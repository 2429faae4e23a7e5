import { expect, test } from "vitest";
import { addressBlock } from "./clientIp.ts";

test("an IPv4 address is its own block", () => {
  expect(addressBlock("203.0.113.7")).toBe("203.0.113.7");
  expect(addressBlock("203.0.113.8")).not.toBe(addressBlock("203.0.113.7"));
});

test("IPv6 addresses in one /64 share a block, however they are written", () => {
  const block = addressBlock("2001:db8:85a3:12::1");
  expect(block).toBe("2001:db8:85a3:12::/64");
  for (const sibling of ["2001:0db8:85a3:0012:ffff:ffff:ffff:fffe", "2001:DB8:85A3:12:0:0:0:2", "2001:db8:85a3:12::1.2.3.4", "2001:db8:85a3:12::1%eth0"]) {
    expect(addressBlock(sibling)).toBe(block);
  }
  expect(addressBlock("2001:db8:85a3:13::1")).not.toBe(block);
  expect(addressBlock("::1")).toBe("0:0:0:0::/64");
  expect(addressBlock("2001:db8::")).toBe("2001:db8:0:0::/64");
});
