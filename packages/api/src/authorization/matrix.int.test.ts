// The authorization matrix: every procedure of both routers (walked from the routers, not listed here) called
// through the real servers (appRouter over HTTP at the web app, realtimeRouter over a WebSocket to a realtime
// node) as every kind of caller, on a fresh object built for each call by the procedure's fixture, and checked
// against what its `.meta(access(...))` rule says (procedures.ts). The observed table is printed; it is the one in
// docs/authorization.md when the test passes (authorization.test.ts keeps that file in step with the routers).
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type PrismaClient } from "@qualmeet/db";
import { startRealtime, startWeb, type RealtimeServer, type WebServer } from "../../../../tests/harness/servers.ts";
import { account, admin, anonymous, closeParties, guest, type Servers } from "./cast.ts";
import { fixtures, guestCanBeMember, missingFixtureMessage, type Acting, type Fixture } from "./fixtures.ts";
import { objectBuilders, type Cast, type Party } from "./objects.ts";
import { CALLERS, denialCodes, describeExpected, describeRule, expectedOutcome, type CallerColumn, type ProcedureEntry } from "./procedures.ts";
import { inBatches } from "./pool.ts";
import { loadProcedures } from "./routers.ts";
import type { CallOutcome } from "./wire.ts";

let web: WebServer;
let node: RealtimeServer;
let db: PrismaClient;
let servers: Servers;
const open: Party[] = [];

beforeAll(async () => {
  web = await startWeb();
  // every caller of every procedure opens its socket from 127.0.0.1 within a minute or two (about 200 sockets)
  node = await startRealtime({ allowedOrigins: [web.url], env: { RATE_LIMIT_WS_UPGRADES_PER_MIN: "100000" } });
  servers = { webUrl: web.url, wsUrl: node.wsUrl };
  db = createDb(process.env.DATABASE_URL!);
}, 180_000);

afterAll(async () => {
  await closeParties(open);
  await db?.$disconnect();
  await Promise.all([node?.stop(), web?.stop()]);
});

/** Unrelated callers of each kind, shared by every procedure that does not end their sessions. */
interface Kinds {
  guest: Party;
  user: Party;
  admin: Party;
}

async function kinds(label: string): Promise<Kinds> {
  const made = { guest: await guest(servers, `Guest ${label}`), user: await account(servers, `User ${label}`), admin: await admin(servers, db, `Admin ${label}`) };
  open.push(made.guest, made.user, made.admin);
  return made;
}

const acting = (caller: CallerColumn): Acting => (caller === "member" || caller === "guest member" ? "member" : caller === "host" ? "host" : "outsider");

async function callAs(entry: ProcedureEntry, party: Party | null, input: unknown): Promise<CallOutcome> {
  if (entry.server === "web") return (party?.http ?? anonymous(servers).http).call(entry.type, entry.path, input);
  if (party) return party.socket.call(entry.type, entry.path, input);
  const socket = await anonymous(servers).openSocket();
  try {
    return await socket.call(entry.type, entry.path, input);
  } finally {
    await socket.close();
  }
}

/** What each caller got from one procedure: "allow", or the code it was refused with. */
async function observe(entry: ProcedureEntry, fixture: Fixture, shared: Kinds): Promise<Partial<Record<CallerColumn, string>>> {
  const rule = entry.access!;
  const label = entry.path;
  const own = fixture.endsSession ? await kinds(label) : shared;
  const cast: Cast = { host: await account(servers, `Host ${label}`), member: await account(servers, `Member ${label}`), bystanderId: shared.user.id };
  const outsider = rule.on ? await account(servers, `Outsider ${label}`) : null;
  const withGuest = guestCanBeMember(entry.path);
  const guestMember = rule.on && withGuest ? await guest(servers, `Guest member ${label}`) : null;
  open.push(cast.host, cast.member, ...[outsider, guestMember].filter((p): p is Party => p !== null));
  const denials = denialCodes(rule);
  const seen: Partial<Record<CallerColumn, string>> = {};
  for (const caller of CALLERS) {
    if (expectedOutcome(rule, caller, withGuest) === null) continue;
    // the guest member is the weaker side of this object; the non-member is the host of another object of this
    // kind, acting on this one
    const object =
      caller === "guest member" ? await objectBuilders[fixture.guestMemberObject ?? fixture.object]({ ...cast, member: guestMember! }) : await objectBuilders[fixture.object](cast);
    if (caller === "non-member") await objectBuilders[fixture.object]({ ...cast, host: outsider! });
    const parties = {
      anonymous: null,
      guest: own.guest,
      user: own.user,
      admin: own.admin,
      "non-member": outsider,
      "guest member": guestMember,
      member: cast.member,
      host: cast.host,
    };
    const party = parties[caller];
    const outcome = await callAs(entry, party, fixture.input(object as never, acting(caller)));
    seen[caller] = outcome.ok || !denials.has(outcome.code!) ? "allow" : outcome.code!;
    // a failure of ours is never an answer, allowed or not
    if (outcome.code === "INTERNAL_SERVER_ERROR") seen[caller] = `INTERNAL_SERVER_ERROR (${outcome.message})`;
  }
  return seen;
}

test("every procedure of both routers answers every kind of caller as its access rule says", async () => {
  const procedures = await loadProcedures();
  const shared = await kinds("shared");
  const problems: string[] = [];
  // two cores: three procedures at once keep both servers busy
  const rows = await inBatches(procedures, 3, async (entry) => {
    const fixture = fixtures[entry.path];
    if (!entry.access) problems.push(`${entry.server} ${entry.path} declares no access rule: add .meta(access(caller, relation?))`);
    if (!fixture) problems.push(`${entry.server} ${entry.path}: ${missingFixtureMessage(entry.path)}`);
    const seen: Partial<Record<CallerColumn, string>> = {};
    if (!entry.access || !fixture) return { entry, seen };
    Object.assign(
      seen,
      await observe(entry, fixture, shared).catch((error: unknown) => {
        problems.push(`${entry.server} ${entry.path}: ${String(error)}`);
        return {};
      }),
    );
    for (const [caller, got] of Object.entries(seen)) {
      const wanted = describeExpected(expectedOutcome(entry.access, caller as CallerColumn, guestCanBeMember(entry.path)));
      if (got !== wanted) problems.push(`${entry.server} ${entry.path} as ${caller}: expected ${wanted}, got ${got}`);
    }
    return { entry, seen };
  });

  const table = [
    `| server | procedure | rule | ${CALLERS.join(" | ")} |`,
    ...rows.map(({ entry, seen }) => `| ${entry.server} | ${entry.path} | ${describeRule(entry.access)} | ${CALLERS.map((c) => seen[c] ?? "—").join(" | ")} |`),
  ];
  console.log(`authorization matrix (observed through the servers):\n${table.join("\n")}`);
  console.log(
    JSON.stringify({ authorizationMatrix: { procedures: procedures.length, calls: rows.reduce((n, r) => n + Object.keys(r.seen).length, 0), problems: problems.length } }),
  );
  expect(problems).toEqual([]);
}, 600_000);
