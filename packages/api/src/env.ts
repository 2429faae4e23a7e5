// Server configuration shared by the web app and the realtime server. Defaults suit `npm start` on one machine.
const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
};

export const serverEnv = {
  get sessionSecret(): string {
    const secret = process.env.NEXTAUTH_SECRET;
    if (!secret) throw new Error("NEXTAUTH_SECRET is not set (npm start generates one under .data/)");
    return secret;
  },
  /** Browsers' origins allowed to open the realtime WebSocket. */
  get allowedOrigins(): string[] {
    const list = process.env.ALLOWED_ORIGINS ?? process.env.NEXTAUTH_URL ?? "http://localhost:3000";
    return list
      .split(",")
      .map((o) => o.trim().replace(/\/$/, ""))
      .filter(Boolean);
  },
  get useSecureCookies(): boolean {
    return (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
  },
  /** The realtime socket's keep-alive: "PING" after this long without a message from the client... */
  get wsPingMs(): number {
    return int("WS_PING_MS", 30_000);
  },
  /** ...and the socket dropped when nothing came back within this long. */
  get wsPongWaitMs(): number {
    return int("WS_PONG_WAIT_MS", 10_000);
  },
  /** Number of reverse proxies in front of the servers whose X-Forwarded-For entries are trusted. */
  get trustedProxyHops(): number {
    return int("TRUSTED_PROXY_HOPS", 0);
  },
  rateLimits: {
    get signInPerMinute() {
      return int("RATE_LIMIT_SIGNIN_PER_MIN", 5);
    },
    get registerPerHour() {
      return int("RATE_LIMIT_REGISTER_PER_HOUR", 3);
    },
    get globalPerMinute() {
      return int("RATE_LIMIT_GLOBAL_PER_MIN", 600);
    },
    /** new realtime sockets per IP */
    get wsUpgradesPerMinute() {
      return int("RATE_LIMIT_WS_UPGRADES_PER_MIN", 120);
    },
    /** meeting chat messages per user */
    get chatPer10Seconds() {
      return int("RATE_LIMIT_CHAT_PER_10S", 20);
    },
    /** P2P signals (offers, answers, ICE candidates) per user: a negotiation of a 3-person mesh takes ~100 */
    get signalsPer10Seconds() {
      return int("RATE_LIMIT_SIGNALS_PER_10S", 300);
    },
  },
};

export const SESSION_MAX_AGE_S = 7 * 24 * 60 * 60;
