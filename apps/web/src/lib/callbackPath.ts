/**
 * A safe place to go after signing in: a path on this site, never another origin (no open redirect).
 * `host` is the request's Host header: absolute URLs are accepted only when they point at it.
 */
export function safeCallbackPath(raw: string | string[] | undefined | null, host?: string | null): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return "/";
  try {
    const isAbsolute = /^[a-z][a-z0-9+.-]*:/i.test(value);
    const url = new URL(value, "http://placeholder.invalid");
    if (isAbsolute ? !host || url.host !== host || !/^https?:$/.test(url.protocol) : url.host !== "placeholder.invalid") return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/login") ? path : "/";
  } catch {
    return "/";
  }
}
