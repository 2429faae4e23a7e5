import { isIPv6 } from "node:net";
import { env } from "@qualmeet/config";

/**
 * The client's IP: the socket's address, or, behind TRUSTED_PROXY_HOPS reverse proxies, the address the
 * outermost trusted proxy saw (X-Forwarded-For entries further left can be forged by the client).
 */
export function clientIp(remoteAddress: string | undefined | null, forwardedFor: string | null | undefined): string {
  const hops = env.TRUSTED_PROXY_HOPS;
  if (hops > 0 && forwardedFor) {
    const chain = forwardedFor
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const candidate = chain[chain.length - hops];
    if (candidate) return normalise(candidate);
  }
  return normalise(remoteAddress ?? "unknown");
}

const normalise = (ip: string): string => (ip.startsWith("::ffff:") ? ip.slice(7) : ip);

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
