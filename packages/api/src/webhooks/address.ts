// Where a webhook may be sent. A receiver's URL is someone's input: without a check it reaches the server's own
// network (Redis, PostgreSQL, a cloud metadata service at 169.254.169.254). Every name is resolved and refused when
// any address it has is private, loopback, link-local, or otherwise not on the public internet - when the endpoint
// is saved and again before every attempt, and the attempt connects to exactly the addresses checked (a name that
// changes its answer in between, DNS rebinding, gains nothing). WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true lifts it.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

// two lists: BlockList matches an IPv4 address against IPv4-mapped IPv6 rules too, and every IPv6 form of IPv4 is refused
const NOT_PUBLIC_V4 = new BlockList();
const NOT_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC_V4.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  // IPv4 inside IPv6 (mapped, NAT64, 6to4) could name any of the above: refused as a whole
  ["::ffff:0:0", 96],
  ["64:ff9b::", 96],
  ["2002::", 16],
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  NOT_PUBLIC_V6.addSubnet(network, prefix, "ipv6");
}

/** True for an address that is not on the public internet (or not an address at all). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? NOT_PUBLIC_V4.check(address, "ipv4") : NOT_PUBLIC_V6.check(address, "ipv6");
}

export class BlockedDestination extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlockedDestination";
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A URL's host without the brackets of an IPv6 literal. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, "");

/**
 * The addresses to connect to for `hostname`: an IP literal as it is, a name through DNS. Throws BlockedDestination
 * when it does not resolve, or (unless `allowPrivate`) when any of its addresses is not public.
 */
export async function resolveDestination(hostname: string, allowPrivate: boolean, resolve: typeof lookup = lookup): Promise<ResolvedAddress[]> {
  const literal = isIP(hostname);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: hostname, family: literal as 4 | 6 }];
  else {
    try {
      addresses = (await resolve(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
    } catch {
      throw new BlockedDestination(`The host ${hostname} does not resolve: check the URL.`);
    }
    if (addresses.length === 0) throw new BlockedDestination(`The host ${hostname} does not resolve: check the URL.`);
  }
  if (!allowPrivate) {
    const blocked = addresses.find((a) => isNonPublicAddress(a.address));
    if (blocked) {
      const named = literal ? hostname : `${hostname} (${blocked.address})`;
      throw new BlockedDestination(`${named} is a private, loopback or link-local address: webhooks go to public addresses only unless an administrator allows private ones.`);
    }
  }
  return addresses;
}
