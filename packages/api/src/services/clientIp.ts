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
