// Every environment variable QualMeet reads, validated together with zod: a bad value stops the process at start
// with one line per variable ("WS_PING_MS: a whole number of milliseconds above 0, got '-1'"). Defaults are the
// README's configuration table. Server only: the browser gets what it needs through pages, never this module.
import { z } from "zod";

if ("window" in globalThis) throw new Error("@qualmeet/config is server-only: it holds secrets");

/** Empty and unset are the same: `FOO= npm start` means "use the default". */
const unsetWhenEmpty = (source: NodeJS.ProcessEnv): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(source).map(([name, raw]) => [name, raw === "" ? undefined : raw]));

const wholeNumber = (expects: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, { error: expects })
    .transform(Number)
    .pipe(z.number().min(min, { error: expects }).max(max, { error: expects }));
const milliseconds = (fallback: number) => wholeNumber("a whole number of milliseconds above 0", 1).default(fallback);
const perWindow = (fallback: number) => wholeNumber("a whole number above 0", 1).default(fallback);
const cap = (fallback: number) => wholeNumber("a whole number above 0", 1).default(fallback);
const port = (fallback: number) => wholeNumber("a port number (1-65535)", 1, 65535).default(fallback);
const address = (expects: string) => z.string().regex(/^[A-Za-z0-9.:-]+$/, { error: expects });
const url = (expects: string, protocol: RegExp) => z.url({ protocol, error: expects });
const list = (item: z.ZodType<string, string>, expects: string) =>
  z
    .string()
    .transform((raw) =>
      raw
        .split(",")
        .map((part) => part.trim().replace(/\/$/, ""))
        .filter(Boolean),
    )
    .pipe(z.array(item, { error: expects }).min(1, { error: expects }));

// a reverse proxy's address or network, e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8
const proxiesExpects = "comma-separated addresses or networks of your reverse proxies (10.0.0.5, 10.0.0.0/8, fd00::/8)";
const proxyAddress = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: proxiesExpects });
// BOT_RTP_TARGETS: where bots may have the media server send their RTP besides their own address
const botTargetsExpects = "comma-separated addresses or networks a bot may name as its RTP receiver (10.0.0.7, 10.0.2.0/24)";
const botTarget = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: botTargetsExpects });

// REDIS_SENTINELS: host:port,host:port. Each bad entry is named in the error (a list's one typo is hard to spot).
const sentinelList = z.string().transform((raw, ctx) => {
  const entries = raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const sentinels: SentinelAddress[] = [];
  for (const entry of entries) {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) ctx.issues.push({ code: "custom", message: `'${entry}' is not host:port (e.g. 10.0.0.1:26379)`, input: raw });
    else sentinels.push({ host: match[1]!.replace(/^\[|\]$/g, ""), port });
  }
  if (entries.length === 0) ctx.issues.push({ code: "custom", message: "comma-separated host:port of Redis Sentinels (10.0.0.1:26379,10.0.0.2:26379)", input: raw });
  return sentinels;
});

const secretExpects = "at least 32 characters (e.g. `openssl rand -base64 32`)";

const variables = {
  PORT: port(3000),
  REALTIME_PORT: port(3001),
  HOST: address("an address or host name to listen on (0.0.0.0, ::, 127.0.0.1, localhost)").default("0.0.0.0"),
  DATABASE_URL: url("a PostgreSQL URL (postgresql://user:password@host:5432/database)", /^postgres(ql)?$/).optional(),
  DATABASE_RETRY_MS: milliseconds(5000),
  REDIS_URL: url("a Redis URL (redis://host:6379 or rediss://…)", /^rediss?$/).optional(),
  REDIS_SENTINELS: sentinelList.optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { error: "the master's name in sentinel.conf (letters, digits, . _ -)" })
    .optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  EMBEDDED_PG_PORT: port(5499),
  EMBEDDED_REDIS_PORT: port(6399),
  NEXTAUTH_SECRET: z.string({ error: secretExpects }).min(32, { error: secretExpects }).optional(),
  NEXTAUTH_URL: url("the web app's public URL (http://… or https://…)", /^https?$/).optional(),
  REALTIME_PUBLIC_URL: url("the WebSocket address browsers are given (ws://… or wss://…)", /^wss?$/).optional(),
  ALLOWED_ORIGINS: list(url("an origin", /^https?$/), "comma-separated origins (https://meet.example.org,http://localhost:3000)").optional(),
  ADMIN_EMAIL: z.email({ error: "an email address" }).default("admin@qualmeet.local"),
  ADMIN_PASSWORD: z.string().min(8, { error: "at least 8 characters" }).optional(),
  WEB_TRUSTED_PROXIES: list(proxyAddress, proxiesExpects).optional(),
  REALTIME_TRUSTED_PROXIES: list(proxyAddress, proxiesExpects).optional(),
  CHALLENGE_SECRET: z.string({ error: secretExpects }).min(32, { error: secretExpects }).optional(),
  MEDIA_ANNOUNCED_ADDRESS: address("an IP address or host name").optional(),
  MEDIA_LISTEN_IP: z.union([z.ipv4(), z.ipv6()], { error: "an IP address (0.0.0.0 for every interface)" }).default("0.0.0.0"),
  MEDIA_PORT: port(39000),
  MEDIA_MAX_INCOMING_BITRATE: wholeNumber("a whole number of bits per second (100000 or more)", 100_000).default(10_000_000),
  MEDIA_RTC_MIN_PORT: port(40000),
  MEDIA_RTC_MAX_PORT: port(49999),
  MEDIA_WORKERS: wholeNumber("a whole number of worker processes (0: no SFU on this node)", 0).optional(),
  TURN_URLS: list(z.string().regex(/^turns?:/, { error: "turn: or turns: URLs" }), "comma-separated turn: or turns: URLs").optional(),
  TURN_SECRET: z.string().optional(),
  STUN_URLS: list(z.string().regex(/^stuns?:/, { error: "stun: URLs" }), "comma-separated stun: URLs").optional(),
  TURN_CREDENTIAL_TTL_S: wholeNumber("a whole number of seconds (60 or more)", 60).default(3600),
  TURN_DAILY_QUOTA: cap(200),
  ICE_TRANSPORT_POLICY: z.enum(["all", "relay"], { error: "all (direct and relayed connections) or relay (TURN only)" }).default("all"),
  WS_PING_MS: milliseconds(30_000),
  WS_PONG_WAIT_MS: milliseconds(10_000),
  RECONNECT_GRACE_MS: milliseconds(5000),
  P2P_RETURN_QUIET_MS: milliseconds(15_000),
  CALL_RING_TIMEOUT_MS: milliseconds(30_000),
  CHAT_MAX_GROUP_MEMBERS: wholeNumber("a whole number of people (2 or more)", 2).default(256),
  CHAT_MAX_CONVERSATIONS_PER_HOUR: cap(30),
  MEETING_IDLE_END_MS: milliseconds(30 * 60_000),
  RANDOM_WIDEN_MS: milliseconds(5000),
  RATE_LIMIT_SIGNIN_PER_MIN: perWindow(5),
  RATE_LIMIT_REGISTER_PER_HOUR: perWindow(3),
  RATE_LIMIT_GUESTS_PER_HOUR: perWindow(30),
  RATE_LIMIT_GLOBAL_PER_MIN: perWindow(600),
  RATE_LIMIT_WS_UPGRADES_PER_MIN: perWindow(120),
  RATE_LIMIT_CHAT_PER_10S: perWindow(20),
  RATE_LIMIT_SIGNALS_PER_10S: perWindow(300),
  /** multiplies every procedure's own limit (`.meta(rateLimit(...))`): 1 in production; the fuzzing test raises it */
  RATE_LIMIT_SCALE: wholeNumber("a whole number above 0", 1).default(1),
  WS_MAX_SOCKETS_PER_IP: cap(500),
  WS_MAX_SOCKETS_PER_USER: cap(20),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: cap(50),
  WS_MAX_REQUESTS_PER_MESSAGE: cap(100),
  WS_AUTH_TIMEOUT_MS: milliseconds(5000),
  MEETING_MAX_PARTICIPANTS_PER_USER: cap(3),
  BOT_MAX_PER_MEETING: cap(3),
  BOT_RTP_TARGETS: list(botTarget, botTargetsExpects).optional(),
  RATE_LIMIT_MEETING_LOOKUPS_PER_MIN: perWindow(120),
  HEALTH_DETAILS_TOKEN: z.string().min(16, { error: "at least 16 characters (e.g. `openssl rand -hex 16`)" }).optional(),
  /** bearer token for /metrics; unset, /metrics answers only loopback requests that came through no proxy */
  METRICS_TOKEN: z.string().min(16, { error: "at least 16 characters (e.g. `openssl rand -hex 16`)" }).optional(),
  // OpenTelemetry's own names: the exporter reads them too (it sends to `<endpoint>/v1/traces`, OTLP over HTTP)
  OTEL_EXPORTER_OTLP_ENDPOINT: url("an OTLP/HTTP collector URL (http://collector:4318)", /^https?$/).optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[\w.-]+$/, { error: "a service name (letters, digits, '.', '_', '-')" })
    .optional(),
  // webhooks: endpoints on private or loopback addresses are refused unless an admin allows them (a receiver on the LAN, tests)
  WEBHOOK_ALLOW_PRIVATE_ADDRESSES: z
    .enum(["true", "false"], { error: "true or false" })
    .transform((value) => value === "true")
    .default(false),
  WEBHOOK_TIMEOUT_MS: milliseconds(10_000),
  WEBHOOK_RETRY_BASE_MS: milliseconds(10_000),
  WEBHOOK_RETRY_MAX_MS: milliseconds(60 * 60_000),
  WEBHOOK_RETRY_FOR_MS: milliseconds(24 * 60 * 60_000),
  WEBHOOK_DISABLE_AFTER_FAILURES: cap(20),
  WEBHOOK_MAX_ENDPOINTS_PER_USER: cap(10),
  WEBHOOK_MAX_PAYLOAD_BYTES: wholeNumber("a whole number of bytes (1024 or more)", 1024).default(64 * 1024),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "one of fatal, error, warn, info, debug, trace, silent" }).default("info"),
};

/** What the servers cannot start without (`npm start` provides them when they are not set; Redis: REDIS_URL or REDIS_SENTINELS). */
const requiredByServers = {
  DATABASE_URL: variables.DATABASE_URL.unwrap(),
  NEXTAUTH_SECRET: variables.NEXTAUTH_SECRET.unwrap(),
};

export interface SentinelAddress {
  host: string;
  port: number;
}

/** Where Redis is: one URL, or the Sentinels that name the current master. Every connection is built from it. */
export type RedisAddress = { url: string } | { sentinels: SentinelAddress[]; name: string; password?: string; sentinelPassword?: string };

function redisAddress(env: {
  REDIS_URL?: string;
  REDIS_SENTINELS?: SentinelAddress[];
  REDIS_SENTINEL_NAME?: string;
  REDIS_PASSWORD?: string;
  REDIS_SENTINEL_PASSWORD?: string;
}): RedisAddress | undefined {
  if (env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME) {
    return { sentinels: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME, password: env.REDIS_PASSWORD, sentinelPassword: env.REDIS_SENTINEL_PASSWORD };
  }
  return env.REDIS_URL ? { url: env.REDIS_URL } : undefined;
}

/** Values that must not be echoed in an error message. */
const SECRET = new Set([
  "NEXTAUTH_SECRET",
  "CHALLENGE_SECRET",
  "TURN_SECRET",
  "ADMIN_PASSWORD",
  "HEALTH_DETAILS_TOKEN",
  "METRICS_TOKEN",
  "REDIS_PASSWORD",
  "REDIS_SENTINEL_PASSWORD",
]);

function schema(shape: typeof variables, forServers: boolean) {
  return z
    .object(shape)
    .check((ctx) => {
      const env = ctx.value;
      if (env.MEDIA_RTC_MIN_PORT > env.MEDIA_RTC_MAX_PORT) {
        ctx.issues.push({ code: "custom", path: ["MEDIA_RTC_MIN_PORT"], message: `at most MEDIA_RTC_MAX_PORT (${env.MEDIA_RTC_MAX_PORT})`, input: env.MEDIA_RTC_MIN_PORT });
      }
      if (!env.TURN_URLS !== !env.TURN_SECRET) {
        const missing = env.TURN_URLS ? "TURN_SECRET" : "TURN_URLS";
        ctx.issues.push({ code: "custom", path: [missing], message: "set together with " + (missing === "TURN_SECRET" ? "TURN_URLS" : "TURN_SECRET"), input: undefined });
      }
      // a client that reconnects sends all its subscriptions again in one message
      if (env.WS_MAX_REQUESTS_PER_MESSAGE < env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET) {
        const message = `at least WS_MAX_SUBSCRIPTIONS_PER_SOCKET (${env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET}): a reconnecting client resends all its subscriptions in one message`;
        ctx.issues.push({ code: "custom", path: ["WS_MAX_REQUESTS_PER_MESSAGE"], message, input: env.WS_MAX_REQUESTS_PER_MESSAGE });
      }
      if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
        ctx.issues.push({ code: "custom", path: ["REDIS_SENTINEL_NAME"], message: "the master's name the Sentinels watch, required with REDIS_SENTINELS", input: undefined });
      }
      if (env.REDIS_SENTINELS && env.REDIS_URL) {
        ctx.issues.push({ code: "custom", path: ["REDIS_URL"], message: "set either REDIS_URL or REDIS_SENTINELS, not both", input: env.REDIS_URL });
      }
      if (forServers && !env.REDIS_URL && !env.REDIS_SENTINELS) {
        ctx.issues.push({ code: "custom", path: ["REDIS_URL"], message: "a Redis URL (redis://host:6379), or REDIS_SENTINELS and REDIS_SENTINEL_NAME", input: undefined });
      }
    })
    .transform((env) => {
      const NEXTAUTH_URL = (env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
      return {
        ...env,
        NEXTAUTH_URL,
        REALTIME_PUBLIC_URL: env.REALTIME_PUBLIC_URL ?? `ws://localhost:${env.REALTIME_PORT}`,
        ALLOWED_ORIGINS: env.ALLOWED_ORIGINS ?? [new URL(NEXTAUTH_URL).origin],
        // none: the socket's address is the client's, whatever X-Forwarded-For says
        WEB_TRUSTED_PROXIES: env.WEB_TRUSTED_PROXIES ?? [],
        REALTIME_TRUSTED_PROXIES: env.REALTIME_TRUSTED_PROXIES ?? [],
        // none: a bot's RTP goes only to the address its socket connected from
        BOT_RTP_TARGETS: env.BOT_RTP_TARGETS ?? [],
        REDIS: redisAddress(env),
      };
    });
}

/** The configuration `npm start` reads: the servers' own requirements are filled in by it. */
export type StartEnv = z.output<ReturnType<typeof schema>>;
/** The configuration of a running web or realtime server. */
export type ServerEnv = StartEnv & { [K in keyof typeof requiredByServers]: z.output<(typeof requiredByServers)[K]> } & { REDIS: RedisAddress };

/** One line per bad variable: what it expects and what it got. */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "EnvError";
  }
}

const shown = (name: string, raw: string | undefined): string => {
  if (raw === undefined) return "it is not set";
  if (SECRET.has(name)) return `got ${raw.length} characters`;
  // a URL's password stays out of logs
  return `got '${raw.replace(/\/\/[^@/]*@/, "//***@")}'`;
};

const startSchema = schema(variables, false);
const serverSchema = schema({ ...variables, ...requiredByServers } as unknown as typeof variables, true);

function parse<T>(which: typeof startSchema, source: NodeJS.ProcessEnv): T {
  const values = unsetWhenEmpty(source);
  const result = which.safeParse(values);
  if (result.success) return result.data as T;
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0]);
    if (!problems.has(name)) problems.set(name, `${name}: ${issue.message}, ${shown(name, values[name])}`);
  }
  throw new EnvError([...problems.values()]);
}

export const parseStartEnv = (source: NodeJS.ProcessEnv): StartEnv => parse(startSchema, source);
export const parseServerEnv = (source: NodeJS.ProcessEnv): ServerEnv => parse(serverSchema, source);

const cache = globalThis as unknown as { qualmeetEnv?: ServerEnv };

/**
 * The server's configuration from process.env, parsed on first use and kept: Next's bundle and the server
 * around it share it through globalThis. Entry points call it before listening, through `exitOnInvalidEnv`.
 */
export function loadServerEnv(): ServerEnv {
  // `next build` imports the route modules (some read rate limits as they load) without the servers' database,
  // Redis and secret: it gets every other value checked and those left unset, and nothing is kept
  if (process.env.NEXT_PHASE === "phase-production-build") return parseStartEnv(process.env) as ServerEnv;
  return (cache.qualmeetEnv ??= parseServerEnv(process.env));
}

/** `env.DATABASE_URL`: the validated server configuration (see loadServerEnv). */
export const env: ServerEnv = new Proxy({} as ServerEnv, { get: (_target, name) => loadServerEnv()[name as keyof ServerEnv] });

/** For entry points: a bad configuration prints what is wrong and exits with code 1, before anything starts. */
export function exitOnInvalidEnv<T>(processName: string, read: () => T): T {
  const exit = (error: unknown): never => {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${processName}: ${error.message}\n`);
    process.exit(1);
  };
  try {
    const value = read();
    // an asynchronous check (e.g. asking the Redis Sentinels) exits the same way when it rejects
    return (value instanceof Promise ? value.catch(exit) : value) as T;
  } catch (error) {
    return exit(error);
  }
}
