import { expect, test } from "vitest";
import { EnvError, parseServerEnv, parseStartEnv } from "./env.ts";

const servers = { DATABASE_URL: "postgresql://qualmeet:pw@db:5432/qualmeet", REDIS_URL: "redis://cache:6379", NEXTAUTH_SECRET: "s".repeat(43) };

const problems = (read: () => unknown): string[] => {
  try {
    read();
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error("the configuration was accepted");
};

test("nothing set: npm start gets the README's defaults, derived addresses included", () => {
  const env = parseStartEnv({});
  expect(env).toMatchObject({
    PORT: 3000,
    REALTIME_PORT: 3001,
    HOST: "0.0.0.0",
    NEXTAUTH_URL: "http://localhost:3000",
    REALTIME_PUBLIC_URL: "ws://localhost:3001",
    ALLOWED_ORIGINS: ["http://localhost:3000"],
    ADMIN_EMAIL: "admin@qualmeet.local",
    WS_PING_MS: 30_000,
    WS_PONG_WAIT_MS: 10_000,
    RECONNECT_GRACE_MS: 5000,
    P2P_RETURN_QUIET_MS: 15_000,
    MEDIA_PORT: 39000,
    MEDIA_MAX_INCOMING_BITRATE: 10_000_000,
    MEDIA_RTC_MIN_PORT: 40000,
    MEDIA_RTC_MAX_PORT: 49999,
    RATE_LIMIT_SIGNALS_PER_10S: 300,
    MEETING_IDLE_END_MS: 1_800_000,
  });
  expect(env.DATABASE_URL).toBeUndefined();
  expect(env.MEDIA_WORKERS).toBeUndefined();
});

test("the web app's address decides the defaults that follow from it; empty means unset", () => {
  const env = parseServerEnv({ ...servers, PORT: "8080", REALTIME_PORT: "", NEXTAUTH_URL: "https://meet.example.org/" });
  expect(env.NEXTAUTH_URL).toBe("https://meet.example.org");
  expect(env.ALLOWED_ORIGINS).toEqual(["https://meet.example.org"]);
  expect(env.REALTIME_PUBLIC_URL).toBe("ws://localhost:3001");
  expect(parseServerEnv({ ...servers, MEDIA_WORKERS: "0" }).MEDIA_WORKERS).toBe(0); // a node without an SFU
  expect(parseServerEnv({ ...servers, ALLOWED_ORIGINS: "https://a.example.org/, http://localhost:3000" }).ALLOWED_ORIGINS).toEqual([
    "https://a.example.org",
    "http://localhost:3000",
  ]);
});

test("a bad value names the variable, what it expects and what it got", () => {
  expect(problems(() => parseServerEnv({ ...servers, WS_PING_MS: "-1" }))).toEqual(["WS_PING_MS: a whole number of milliseconds above 0, got '-1'"]);
  expect(problems(() => parseServerEnv({ ...servers, REALTIME_PORT: "abc" }))).toEqual(["REALTIME_PORT: a port number (1-65535), got 'abc'"]);
  expect(problems(() => parseServerEnv({ ...servers, P2P_RETURN_QUIET_MS: "15s" }))).toEqual(["P2P_RETURN_QUIET_MS: a whole number of milliseconds above 0, got '15s'"]);
  expect(problems(() => parseServerEnv({ ...servers, MEDIA_MAX_INCOMING_BITRATE: "5000" }))).toEqual([
    "MEDIA_MAX_INCOMING_BITRATE: a whole number of bits per second (100000 or more), got '5000'",
  ]);
});

test("every bad variable is reported at once, and the servers' required ones when missing", () => {
  const found = problems(() => parseServerEnv({ HOST: "every where", REDIS_URL: "http://cache", LOG_LEVEL: "loud" }));
  expect(found).toEqual([
    "HOST: an address or host name to listen on (0.0.0.0, ::, 127.0.0.1, localhost), got 'every where'",
    "DATABASE_URL: a PostgreSQL URL (postgresql://user:password@host:5432/database), it is not set",
    "REDIS_URL: a Redis URL (redis://host:6379 or rediss://…), got 'http://cache'",
    "NEXTAUTH_SECRET: at least 32 characters (e.g. `openssl rand -base64 32`), it is not set",
    "LOG_LEVEL: one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
  ]);
});

test("secrets and URL passwords never appear in the message", () => {
  const found = problems(() => parseServerEnv({ ...servers, NEXTAUTH_SECRET: "hunter2", DATABASE_URL: "mysql://root:hunter2@db/qualmeet" }));
  expect(found.join("\n")).not.toContain("hunter2");
  expect(found).toEqual([
    "DATABASE_URL: a PostgreSQL URL (postgresql://user:password@host:5432/database), got 'mysql://***@db/qualmeet'",
    "NEXTAUTH_SECRET: at least 32 characters (e.g. `openssl rand -base64 32`), got 7 characters",
  ]);
});

test("variables that only make sense together are checked together", () => {
  expect(problems(() => parseServerEnv({ ...servers, MEDIA_RTC_MIN_PORT: "50000" }))).toEqual(["MEDIA_RTC_MIN_PORT: at most MEDIA_RTC_MAX_PORT (49999), got '50000'"]);
  expect(problems(() => parseServerEnv({ ...servers, TURN_URLS: "turn:turn.example.org:3478" }))).toEqual(["TURN_SECRET: set together with TURN_URLS, it is not set"]);
  const turn = parseServerEnv({ ...servers, TURN_URLS: "turn:turn.example.org:3478, turns:turn.example.org:5349", TURN_SECRET: "shared" });
  expect(turn.TURN_URLS).toEqual(["turn:turn.example.org:3478", "turns:turn.example.org:5349"]);
});

test("TURN credentials: an hour, 200 a day by default; STUN_URLS are stun: URLs; a credential shorter than a minute is refused", () => {
  expect(parseServerEnv(servers)).toMatchObject({ TURN_CREDENTIAL_TTL_S: 3600, TURN_DAILY_QUOTA: 200 });
  expect(parseServerEnv({ ...servers, STUN_URLS: "stun:stun.example.org:3478" }).STUN_URLS).toEqual(["stun:stun.example.org:3478"]);
  expect(problems(() => parseServerEnv({ ...servers, TURN_CREDENTIAL_TTL_S: "30" }))).toEqual(["TURN_CREDENTIAL_TTL_S: a whole number of seconds (60 or more), got '30'"]);
  expect(problems(() => parseServerEnv({ ...servers, STUN_URLS: "turn:turn.example.org:3478" }))).toEqual(["STUN_URLS: stun: URLs, got 'turn:turn.example.org:3478'"]);
});

test("realtime socket limits: README defaults, and a message cap below the subscription cap is refused", () => {
  expect(parseServerEnv(servers)).toMatchObject({
    WS_MAX_SOCKETS_PER_IP: 500,
    WS_MAX_SOCKETS_PER_USER: 20,
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: 50,
    WS_MAX_REQUESTS_PER_MESSAGE: 100,
    WS_AUTH_TIMEOUT_MS: 5000,
    MEETING_MAX_PARTICIPANTS_PER_USER: 3,
  });
  expect(problems(() => parseServerEnv({ ...servers, WS_MAX_SOCKETS_PER_USER: "0" }))).toEqual(["WS_MAX_SOCKETS_PER_USER: a whole number above 0, got '0'"]);
  expect(problems(() => parseServerEnv({ ...servers, WS_MAX_REQUESTS_PER_MESSAGE: "10" }))).toEqual([
    "WS_MAX_REQUESTS_PER_MESSAGE: at least WS_MAX_SUBSCRIPTIONS_PER_SOCKET (50): a reconnecting client resends all its subscriptions in one message, got '10'",
  ]);
});

test("the health details and metrics tokens are secrets of at least 16 characters, never echoed", () => {
  const found = problems(() => parseServerEnv({ ...servers, HEALTH_DETAILS_TOKEN: "letmein" }));
  expect(found).toEqual(["HEALTH_DETAILS_TOKEN: at least 16 characters (e.g. `openssl rand -hex 16`), got 7 characters"]);
  expect(parseServerEnv({ ...servers, HEALTH_DETAILS_TOKEN: "t".repeat(32) }).HEALTH_DETAILS_TOKEN).toBe("t".repeat(32));
  expect(parseServerEnv(servers).HEALTH_DETAILS_TOKEN).toBeUndefined();
  expect(problems(() => parseServerEnv({ ...servers, METRICS_TOKEN: "short" }))).toEqual(["METRICS_TOKEN: at least 16 characters (e.g. `openssl rand -hex 16`), got 5 characters"]);
  expect(parseServerEnv({ ...servers, METRICS_TOKEN: "m".repeat(32) }).METRICS_TOKEN).toBe("m".repeat(32));
});

test("trusted proxies are lists of addresses or networks per service; none by default", () => {
  expect(parseServerEnv(servers)).toMatchObject({ WEB_TRUSTED_PROXIES: [], REALTIME_TRUSTED_PROXIES: [] });
  const env = parseServerEnv({ ...servers, WEB_TRUSTED_PROXIES: "10.0.0.5, 10.1.0.0/16, fd00::/8", REALTIME_TRUSTED_PROXIES: "::1" });
  expect(env.WEB_TRUSTED_PROXIES).toEqual(["10.0.0.5", "10.1.0.0/16", "fd00::/8"]);
  expect(env.REALTIME_TRUSTED_PROXIES).toEqual(["::1"]);
  expect(problems(() => parseServerEnv({ ...servers, WEB_TRUSTED_PROXIES: "proxy.internal" }))).toEqual([
    "WEB_TRUSTED_PROXIES: comma-separated addresses or networks of your reverse proxies (10.0.0.5, 10.0.0.0/8, fd00::/8), got 'proxy.internal'",
  ]);
  expect(problems(() => parseServerEnv({ ...servers, CHALLENGE_SECRET: "short" }))).toEqual([
    "CHALLENGE_SECRET: at least 32 characters (e.g. `openssl rand -base64 32`), got 5 characters",
  ]);
});

test("ICE_TRANSPORT_POLICY: all by default, relay for TURN only, nothing else", () => {
  expect(parseServerEnv(servers).ICE_TRANSPORT_POLICY).toBe("all");
  expect(parseServerEnv({ ...servers, ICE_TRANSPORT_POLICY: "relay" }).ICE_TRANSPORT_POLICY).toBe("relay");
  expect(problems(() => parseServerEnv({ ...servers, ICE_TRANSPORT_POLICY: "turn" }))).toEqual([
    "ICE_TRANSPORT_POLICY: all (direct and relayed connections) or relay (TURN only), got 'turn'",
  ]);
});

test("Redis through Sentinel: REDIS_SENTINELS and REDIS_SENTINEL_NAME give the one Redis address every connection uses", () => {
  const { REDIS_URL: _url, ...noRedis } = servers;
  const env = parseServerEnv({ ...noRedis, REDIS_SENTINELS: "10.0.0.1:26379, sentinel-b:26379,[fd00::3]:26380", REDIS_SENTINEL_NAME: "qualmeet", REDIS_PASSWORD: "pw" });
  expect(env.REDIS).toEqual({
    sentinels: [
      { host: "10.0.0.1", port: 26379 },
      { host: "sentinel-b", port: 26379 },
      { host: "fd00::3", port: 26380 },
    ],
    name: "qualmeet",
    password: "pw",
    sentinelPassword: undefined,
  });
  expect(parseServerEnv(servers).REDIS).toEqual({ url: "redis://cache:6379" });
});

test("a misconfigured Sentinel list names the variable and the bad entry", () => {
  const { REDIS_URL: _url, ...noRedis } = servers;
  expect(problems(() => parseServerEnv({ ...noRedis, REDIS_SENTINELS: "10.0.0.1:26379,sentinel-b,10.0.0.3:99999", REDIS_SENTINEL_NAME: "qualmeet" }))).toEqual([
    "REDIS_SENTINELS: 'sentinel-b' is not host:port (e.g. 10.0.0.1:26379), got '10.0.0.1:26379,sentinel-b,10.0.0.3:99999'",
  ]);
  expect(problems(() => parseServerEnv({ ...noRedis, REDIS_SENTINELS: "10.0.0.1:26379" }))).toEqual([
    "REDIS_SENTINEL_NAME: the master's name the Sentinels watch, required with REDIS_SENTINELS, it is not set",
  ]);
  expect(problems(() => parseServerEnv({ ...servers, REDIS_SENTINELS: "10.0.0.1:26379", REDIS_SENTINEL_NAME: "qualmeet" }))).toEqual([
    "REDIS_URL: set either REDIS_URL or REDIS_SENTINELS, not both, got 'redis://cache:6379'",
  ]);
  expect(problems(() => parseServerEnv(noRedis))).toEqual(["REDIS_URL: a Redis URL (redis://host:6379), or REDIS_SENTINELS and REDIS_SENTINEL_NAME, it is not set"]);
});

test("webhooks: README defaults, and a private-address switch that is not true or false is refused", () => {
  expect(parseStartEnv({})).toMatchObject({
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: false,
    WEBHOOK_TIMEOUT_MS: 10_000,
    WEBHOOK_RETRY_BASE_MS: 10_000,
    WEBHOOK_RETRY_MAX_MS: 3_600_000,
    WEBHOOK_RETRY_FOR_MS: 86_400_000,
    WEBHOOK_DISABLE_AFTER_FAILURES: 20,
    WEBHOOK_MAX_ENDPOINTS_PER_USER: 10,
    WEBHOOK_MAX_PAYLOAD_BYTES: 65_536,
  });
  expect(parseStartEnv({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" }).WEBHOOK_ALLOW_PRIVATE_ADDRESSES).toBe(true);
  expect(problems(() => parseStartEnv({ WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "yes" }))).toEqual(["WEBHOOK_ALLOW_PRIVATE_ADDRESSES: true or false, got 'yes'"]);
});

test("bots: at most 3 per meeting by default, RTP only to their own address unless BOT_RTP_TARGETS names more", () => {
  expect(parseServerEnv(servers)).toMatchObject({ BOT_MAX_PER_MEETING: 3, BOT_RTP_TARGETS: [] });
  expect(parseServerEnv({ ...servers, BOT_RTP_TARGETS: "10.0.0.7, 10.0.2.0/24" }).BOT_RTP_TARGETS).toEqual(["10.0.0.7", "10.0.2.0/24"]);
  expect(problems(() => parseServerEnv({ ...servers, BOT_RTP_TARGETS: "recorder.internal" }))).toEqual([
    "BOT_RTP_TARGETS: comma-separated addresses or networks a bot may name as its RTP receiver (10.0.0.7, 10.0.2.0/24), got 'recorder.internal'",
  ]);
});
