// Chat benchmark. Starts its own PostgreSQL, Redis, the web app (for the sign-ins, then stopped) and 2 realtime
// nodes on free ports, and measures:
//   history     1,000,000 messages over 1,000 conversations (seeded with INSERT ... SELECT generate_series),
//               then chat history pages (50, newest first) read through the same service the `chat.history`
//               procedure runs (membership from Redis, keyset query, pending merge, calls of the page), in this
//               process: the first page and a deep page (cursor ~900 messages back) of random conversations
//   delivery    --senders users (default 200), in DMs of two over the 2 nodes (partners on different nodes),
//               each sending --rate messages/s for --seconds through `chat.send`; latency from the send call
//               to the partner's `chat.events` delivery (one clock: every client lives in this process)
//   backlog     PostgreSQL stopped, --backlog messages (default 10,000) sent, PostgreSQL started again: the
//               time until the persisters of both nodes have stored all of them, and their rate
// Progress goes to stderr; the last line of stdout is one JSON object with the results.
//
//   npm run bench:chat
//   npm run bench:chat -- --messages 100000 --senders 50 --seconds 5 --backlog 2000    (a quick run)
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { applyMigrations, createDb } from "../../packages/db/src/index.ts";
import { hashPassword } from "../../packages/api/src/services/password.ts";
import { createRedis } from "../../packages/api/src/services/redis.ts";
import { history } from "../../packages/api/src/chat/conversations.ts";
import { encodeCursor } from "../../packages/api/src/chat/messages.ts";
import { realtimeClient, type RealtimeConnection } from "../../tests/harness/clients.ts";
import { freePort } from "../lib/ports.ts";
import { numberOption } from "./args.ts";
import { benchCleanup } from "./cleanup.ts";
import { startPostgres, type PostgresServer } from "../lib/postgres.ts";
import { startRedis } from "../lib/redis.ts";
import { buildWeb } from "../lib/webBuild.ts";
import { benchServerEnv, signInThroughWebApp, startRealtimeNodes } from "./stack.ts";
import { printBenchResult } from "./report/contract.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    conversations: { type: "string", default: "1000" },
    samples: { type: "string", default: "2000" },
    senders: { type: "string", default: "200" },
    rate: { type: "string", default: "1" },
    seconds: { type: "string", default: "15" },
    backlog: { type: "string", default: "10000" },
  },
});
const num = (name: keyof typeof args): number => numberOption(args, name, 1);
const MESSAGES = num("messages");
const CONVERSATIONS = num("conversations");
const PER_CONVERSATION = Math.ceil(MESSAGES / CONVERSATIONS);
const SAMPLES = num("samples");
const SENDERS = num("senders") + (num("senders") % 2);
const RATE = num("rate");
const SECONDS = num("seconds");
const BACKLOG = num("backlog");
const DEEP = Math.min(900, Math.max(0, PER_CONVERSATION - 60));

const started = performance.now();
const log = (msg: string) => process.stderr.write(`[bench:chat ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  return { n: sorted.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

const { onCleanup, run } = benchCleanup(log);

/** Users, the 1,000 history conversations (groups of two) with their messages, and the DMs for delivery. */
async function seed(databaseUrl: string, password: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const hash = await hashPassword(password);
    const users = Array.from({ length: SENDERS }, (_, i) => ({ id: randomUUID(), email: `chat-${i}-${randomBytes(4).toString("hex")}@example.test` }));
    await client.query(
      `INSERT INTO "User" (id, name, email, "passwordHash", "updatedAt") SELECT id, name, email, $4, now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, name, email)`,
      [users.map((u) => u.id), users.map((_, i) => `Chatter ${i}`), users.map((u) => u.email), hash],
    );
    const conversations = Array.from({ length: CONVERSATIONS }, (_, i) => ({ id: randomUUID(), a: users[i % SENDERS]!.id, b: users[(i + 1) % SENDERS]!.id }));
    await client.query(`INSERT INTO "Conversation" (id, kind, title) SELECT id, 'GROUP', 'History ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [
      conversations.map((c) => c.id),
    ]);
    await client.query(
      `INSERT INTO "ConversationMember" ("conversationId", "userId", role, "joinedAt") SELECT c, u, 'MEMBER', now() - interval '30 days'
       FROM unnest($1::uuid[], $2::uuid[]) AS t(c, u)`,
      [conversations.flatMap((c) => [c.id, c.id]), conversations.flatMap((c) => [c.a, c.b])],
    );
    const chunk = Math.max(1, Math.floor(100_000 / PER_CONVERSATION));
    const seedStart = performance.now();
    for (let from = 0; from < CONVERSATIONS; from += chunk) {
      const part = conversations.slice(from, from + chunk);
      await client.query(
        `INSERT INTO "Message" (id, "conversationId", "senderId", "clientId", body, "createdAt")
         SELECT gen_random_uuid(), c.id, CASE WHEN n % 2 = 0 THEN c.a ELSE c.b END, 'seed-' || c.id || '-' || n,
                'Seeded message ' || n || ': the quick brown fox jumps over the lazy dog',
                now() - interval '1 day' - (($4::int - n) * interval '1 second')
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS c(id, a, b) CROSS JOIN generate_series(1, $4::int) AS n`,
        [part.map((c) => c.id), part.map((c) => c.a), part.map((c) => c.b), PER_CONVERSATION],
      );
      log(`seeded ${Math.min(from + chunk, CONVERSATIONS) * PER_CONVERSATION} messages`);
    }
    await client.query(`UPDATE "Conversation" c SET "lastMessageAt" = now() - interval '1 day'`);
    // a database that has been running a while: vacuumed (visibility map set) and analysed
    await client.query(`VACUUM ANALYZE`);
    const seedS = (performance.now() - seedStart) / 1000;
    // DMs for delivery: partners 2k and 2k+1
    const dms = Array.from({ length: SENDERS / 2 }, (_, k) => ({ id: randomUUID(), a: users[2 * k]!.id, b: users[2 * k + 1]!.id }));
    await client.query(`INSERT INTO "Conversation" (id, kind) SELECT id, 'DIRECT' FROM unnest($1::uuid[]) AS t(id)`, [dms.map((d) => d.id)]);
    await client.query(`INSERT INTO "ConversationMember" ("conversationId", "userId") SELECT c, u FROM unnest($1::uuid[], $2::uuid[]) AS t(c, u)`, [
      dms.flatMap((d) => [d.id, d.id]),
      dms.flatMap((d) => [d.a, d.b]),
    ]);
    // a deep-page cursor per conversation: the message DEEP back from the newest
    const deep = await client.query<{ conversationId: string; id: string; createdAt: Date }>(
      `SELECT l."conversationId", l.id, l."createdAt" FROM unnest($1::uuid[]) AS c(id)
       CROSS JOIN LATERAL (SELECT m."conversationId", m.id, m."createdAt" FROM "Message" m WHERE m."conversationId" = c.id
                           ORDER BY m."createdAt" DESC, m.id DESC OFFSET $2 LIMIT 1) l`,
      [conversations.map((c) => c.id), DEEP],
    );
    return { users, conversations, dms, seedS, deepCursors: new Map(deep.rows.map((r) => [r.conversationId, encodeCursor({ createdAt: r.createdAt.getTime(), id: r.id })])) };
  } finally {
    await client.end();
  }
}

interface Chatter {
  userId: string;
  dmId: string;
  connection: RealtimeConnection;
  /** send time (performance.now()) by client id, of the partner's messages this one waits for */
  delivered: (clientId: string) => void;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-bench-chat-"));
  onCleanup("temporary folder", () => rm(dir, { recursive: true, force: true }));
  log("building the web app (turbo cache)");
  await buildWeb(root, { quiet: true });
  const pgPort = await freePort();
  let postgres: PostgresServer = await startPostgres({ dataDir: path.join(dir, "pg"), port: pgPort, database: "qualmeet_bench", log });
  onCleanup("PostgreSQL", () => postgres.stop());
  const redisServer = await startRedis({ dataDir: path.join(dir, "redis"), port: await freePort(), reuseExisting: false, log });
  onCleanup("Redis", () => redisServer.stop());
  await applyMigrations(postgres.url, path.join(root, "prisma/migrations"));

  const password = "bench password 1234";
  log(`seeding ${PER_CONVERSATION * CONVERSATIONS} messages over ${CONVERSATIONS} conversations`);
  const seeded = await seed(postgres.url, password);
  log(`seeded in ${round(seeded.seedS, 1)} s`);

  // history pages through the chat.history service
  const db = createDb(postgres.url);
  onCleanup("database client", () => db.$disconnect());
  const redis = createRedis({ url: redisServer.url }, "bench-chat");
  onCleanup("Redis client", async () => redis.disconnect());
  const deps = { db, redis };
  const pick = () => seeded.conversations[Math.floor(Math.random() * seeded.conversations.length)]!;
  for (let i = 0; i < 200; i++) {
    const c = pick();
    await history(deps, c.a, c.id, undefined);
  }
  const first: number[] = [];
  const deep: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const c = pick();
    let t = performance.now();
    const page = await history(deps, c.a, c.id, undefined);
    first.push(performance.now() - t);
    if (page.messages.length !== Math.min(50, PER_CONVERSATION)) throw new Error(`history page of ${page.messages.length} messages`);
    t = performance.now();
    await history(deps, c.b, c.id, seeded.deepCursors.get(c.id));
    deep.push(performance.now() - t);
  }
  const historyFirst = percentiles(first);
  const historyDeep = percentiles(deep);
  log(`history first page ${JSON.stringify(historyFirst)}; deep page (${DEEP} back) ${JSON.stringify(historyDeep)}`);

  const stack = { root, env: benchServerEnv(postgres.url, redisServer.url), onCleanup, log };
  const { cookies, webUrl } = await signInThroughWebApp(
    stack,
    seeded.users.map((u) => u.email),
    password,
    6,
  );
  const nodes = await startRealtimeNodes(stack, { count: 2, webUrl, mediaWorkers: 1 });

  // partners on different nodes: every delivery crosses Redis between nodes
  const latencies: number[] = [];
  let measuring = false;
  const sentAt = new Map<string, number>();
  let deliveries = 0;
  const chatters: Chatter[] = seeded.users.map((user, i) => {
    const connection = realtimeClient(nodes[i % 2]!.url, { cookie: cookies[i]!, origin: webUrl });
    onCleanup(`socket ${i}`, () => connection.close());
    return {
      userId: user.id,
      dmId: seeded.dms[Math.floor(i / 2)]!.id,
      connection,
      delivered: (clientId) => {
        const at = sentAt.get(clientId);
        if (at === undefined) return;
        deliveries++;
        if (measuring) latencies.push(performance.now() - at);
      },
    };
  });
  for (const chatter of chatters) {
    chatter.connection.client.chat.events.subscribe(
      {},
      {
        onData: ({ data }) => {
          if (data.type === "message.new" && data.message.sender.id !== chatter.userId) chatter.delivered(data.message.clientId);
        },
      },
    );
  }
  const numsub = async (userId: string) => ((await redis.pubsub("NUMSUB", `chat:user:${userId}`)) as [string, number])[1];
  for (const chatter of chatters) while ((await numsub(chatter.userId)) < 1) await sleep(20);
  log(`${chatters.length} sockets subscribed over 2 nodes`);

  const sendOne = async (chatter: Chatter) => {
    const clientId = randomUUID();
    sentAt.set(clientId, performance.now());
    await chatter.connection.client.chat.send.mutate({ conversationId: chatter.dmId, clientId, body: `hello ${clientId}` });
  };
  // warm-up: membership caches, connections, JIT
  await Promise.all(chatters.map((c) => sendOne(c)));
  const waitDeliveries = async (expected: number, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (deliveries < expected && Date.now() < deadline) await sleep(50);
  };
  await waitDeliveries(chatters.length);

  measuring = true;
  deliveries = 0;
  const perSender = RATE * SECONDS;
  const sendFailures: string[] = [];
  await Promise.all(
    chatters.map(async (chatter) => {
      await sleep(Math.random() * (1000 / RATE));
      for (let i = 0; i < perSender; i++) {
        const next = performance.now() + 1000 / RATE;
        await sendOne(chatter).catch((error: unknown) => void sendFailures.push(String(error)));
        await sleep(Math.max(0, next - performance.now()));
      }
    }),
  );
  await waitDeliveries(chatters.length * perSender);
  measuring = false;
  const deliver = percentiles(latencies);
  log(`delivery ${JSON.stringify(deliver)} of ${chatters.length * perSender} sent (${sendFailures.length} send failures)`);

  // backlog: PostgreSQL down, BACKLOG messages queued, PostgreSQL back
  const countAll = async () => (await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "Message"`)[0]!.n;
  const waitStored = async (expected: bigint, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await countAll().catch(() => -1n);
      if (n >= expected) return;
      if (Date.now() > deadline) throw new Error(`only ${n} of ${expected} messages stored`);
      await sleep(20);
    }
  };
  const sentSoFar = BigInt(PER_CONVERSATION * CONVERSATIONS + chatters.length * (1 + perSender) - sendFailures.length);
  await waitStored(sentSoFar);
  log("all sent messages stored; stopping PostgreSQL");
  await postgres.stop();
  const perChatter = Math.ceil(BACKLOG / chatters.length);
  await Promise.all(
    chatters.map(async (chatter) => {
      for (let i = 0; i < perChatter; i++) await sendOne(chatter);
    }),
  );
  const backlog = perChatter * chatters.length;
  log(`${backlog} messages sent with PostgreSQL down; starting it`);
  // the persisters may reach PostgreSQL while it is still reporting ready: the clock starts with its start
  const drainStart = performance.now();
  postgres = await startPostgres({ dataDir: path.join(dir, "pg"), port: pgPort, database: "qualmeet_bench", log });
  const pgStartS = (performance.now() - drainStart) / 1000;
  await waitStored(sentSoFar + BigInt(backlog));
  const drainS = (performance.now() - drainStart) / 1000;
  log(`backlog of ${backlog} stored ${round(drainS)} s after PostgreSQL was started (it took ${round(pgStartS)} s to accept connections)`);

  const result = {
    history_p95_ms: historyFirst.p95,
    deep_page_p95_ms: historyDeep.p95,
    deliver_p99_ms: deliver.p99,
    persist_msgs_per_s: Math.round(backlog / drainS),
    backlog_drain_s: round(drainS),
    history_first_page_ms: historyFirst,
    history_deep_page_ms: { ...historyDeep, messages_back: DEEP },
    deliver_ms: { ...deliver, senders: chatters.length, messages_per_sender_per_s: RATE, seconds: SECONDS, send_failures: sendFailures.length },
    backlog_messages: backlog,
    backlog_postgres_start_s: round(pgStartS),
    seeded: { messages: PER_CONVERSATION * CONVERSATIONS, conversations: CONVERSATIONS, seconds: round(seeded.seedS, 1) },
    history_measured: "in process: the chat.history service (Redis membership, keyset query, pending merge, calls), not HTTP",
  };
  const load = { label: "offered load", unit: "messages/s" };
  printBenchResult({
    bench: "chat",
    results: result,
    charts: [
      {
        title: "Chat history page p95 against depth",
        x: { label: "messages back from the newest", unit: "" },
        y: { label: "p95 page read", unit: "ms" },
        series: [
          {
            system: "qualmeet",
            points: [
              [0, historyFirst.p95],
              [DEEP, historyDeep.p95],
            ],
          },
        ],
      },
      // one load per run (--senders x --rate): a point per percentile
      {
        title: "Chat send to deliver latency",
        x: load,
        y: { label: "send to partner's delivery", unit: "ms" },
        series: (["p50", "p95", "p99"] as const).map((p) => ({
          system: `qualmeet ${p}`,
          points: Number.isFinite(deliver[p]) ? [[chatters.length * RATE, deliver[p]] as [number, number]] : [],
        })),
      },
    ],
  });
}

run(main, 45 * 60_000);
