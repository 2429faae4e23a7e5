// The security headers that src/proxy.ts sets at run time: the Content-Security-Policy carries a fresh nonce per
// request, and HSTS depends on the public URL. The ones that never change are in next.config.ts headers().

export interface PolicyOptions {
  /** fresh per request: only scripts carrying it run (Next.js adds it to its own) */
  nonce: string;
  /** REALTIME_PUBLIC_URL: the pages open their WebSocket there */
  realtimeUrl: string;
  /** the public URL is https: mixed content is upgraded */
  https: boolean;
  /** `next dev` evaluates code for fast refresh */
  development: boolean;
}

export function contentSecurityPolicy({ nonce, realtimeUrl, https, development }: PolicyOptions): string {
  const realtime = new URL(realtimeUrl).origin.replace(/^http/, "ws");
  const directives = [
    "default-src 'self'",
    // 'strict-dynamic': the chunks a nonce'd script loads may run; no inline script without the nonce
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // React renders style attributes (a meter's width, a tile's aspect): styles cannot run code
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // "Listen together" plays a link a participant shares (http or https); media runs no code
    "media-src 'self' blob: mediastream: http: https:",
    `connect-src 'self' ${realtime}`,
    // the proof-of-work solver (lib/challenge)
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/** Two years, subdomains included: sent only when the public URL is https (a browser ignores it over http anyway). */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains";

/** 16 random bytes, base64: unguessable, fresh per request. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
