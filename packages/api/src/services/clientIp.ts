import { BlockList, isIP, isIPv6 } from "node:net";

/**
 * The header through which our web server (apps/web/server.ts) hands Next.js the client's address. The server
 * removes any copy a client sent, so pages, route handlers and next-auth can believe it.
 */
export const CLIENT_IP_HEADER = "x-qualmeet-client-ip";

const trustedNetworks = new WeakMap<readonly string[], BlockList>();

/** `trusted` (addresses and CIDR networks, as configured) as a BlockList, built once per list. */
function networksOf(trusted: readonly string[]): BlockList {
  let networks = trustedNetworks.get(trusted);
  if (!networks) {
    networks = new BlockList();
    for (const entry of trusted) {
      const [address = "", bits] = entry.split("/");
      const family = isIPv6(address) ? "ipv6" : "ipv4";
      if (bits === undefined) networks.addAddress(address, family);
      else networks.addSubnet(address, Number(bits), family);
    }
    trustedNetworks.set(trusted, networks);
  }
  return networks;
}

const isTrusted = (networks: BlockList, ip: string): boolean => {
  const family = isIP(ip);
  return family !== 0 && networks.check(ip, family === 6 ? "ipv6" : "ipv4");
};

/**
 * The client's IP: the socket's address, unless that is one of our `trusted` reverse proxies; then the address that
 * proxy saw, the last X-Forwarded-For entry, and so on leftwards while the hop is a trusted proxy too. Entries left
 * of the first untrusted hop are whatever the client wrote, and are never used. No trusted proxies: the socket's
 * address, whatever X-Forwarded-For says.
 */
export function clientIp(remoteAddress: string | undefined | null, forwardedFor: string | null | undefined, trusted: readonly string[]): string {
  let ip = normalise(remoteAddress ?? "unknown");
  if (trusted.length === 0 || !forwardedFor) return ip;
  const networks = networksOf(trusted);
  const chain = forwardedFor
    .split(",")
    .map((s) => normalise(s.trim()))
    .filter(Boolean);
  while (isTrusted(networks, ip)) {
    const previous = chain.pop();
    if (!previous || isIP(previous) === 0) break;
    ip = previous;
  }
  return ip;
}

/** Whether `ip` is one of `networks` (addresses and CIDR networks, as configured). */
export const inNetworks = (ip: string, networks: readonly string[]): boolean => networks.length > 0 && isTrusted(networksOf(networks), normalise(ip));

const normalise = (ip: string): string => (ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/**
 * The block of addresses one client controls, for per-address limits: an IPv4 address itself, an IPv6 address's
 * /64 (the smallest block a provider hands a home or phone, so one client can use any of its 2^64 addresses).
 */
export function addressBlock(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const address = ip.split("%")[0]!.toLowerCase();
  const [head = "", tail] = address.split("::");
  // an embedded IPv4 address (always at the end) fills the last two groups
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group])));
  const headGroups = groupsOf(head);
  const tailGroups = tail === undefined ? [] : groupsOf(tail);
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
