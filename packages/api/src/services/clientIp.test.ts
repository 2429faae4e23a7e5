import { expect, test } from "vitest";
import { addressBlock, clientIp } from "./clientIp.ts";

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

test("without trusted proxies the socket's address is the client's, whatever X-Forwarded-For claims", () => {
  expect(clientIp("198.51.100.4", "203.0.113.7", [])).toBe("198.51.100.4");
  expect(clientIp("::ffff:198.51.100.4", undefined, [])).toBe("198.51.100.4");
});

test("X-Forwarded-For is read only through trusted proxies, and only as far as they reach", () => {
  const proxies = ["10.0.0.0/8", "192.0.2.1", "fd00::/8"];
  // a client behind our proxy
  expect(clientIp("10.1.2.3", "203.0.113.7", proxies)).toBe("203.0.113.7");
  // a client that wrote its own X-Forwarded-For: only the entry our proxy added counts
  expect(clientIp("10.1.2.3", "1.2.3.4, 203.0.113.7", proxies)).toBe("203.0.113.7");
  // two of our proxies in a row
  expect(clientIp("192.0.2.1", "203.0.113.7, 10.9.9.9", proxies)).toBe("203.0.113.7");
  expect(clientIp("fd00::1", "2001:db8::5", proxies)).toBe("2001:db8::5");
  // a client reaching us directly (not through a proxy) cannot pick its address
  expect(clientIp("198.51.100.4", "10.0.0.1, 203.0.113.7", proxies)).toBe("198.51.100.4");
  // garbage stops the walk at the last address we know
  expect(clientIp("10.1.2.3", "not-an-address", proxies)).toBe("10.1.2.3");
});
