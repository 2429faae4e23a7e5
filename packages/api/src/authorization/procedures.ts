// Every procedure of the two routers with the access rule it declares, and what the rule says each kind of
// caller gets. The authorization matrix test calls every procedure as every caller against this, and
// docs/authorization.md is rendered from it (npm run docs:authorization), so both follow the routers.
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { AccessRule, ProcedureMeta, Relation } from "../trpc.ts";

export type ProcedureType = "query" | "mutation" | "subscription";
export type Server = "web" | "realtime";

export interface ProcedureEntry {
  /** "web" (appRouter over HTTP) or "realtime" (realtimeRouter over WebSocket) */
  server: Server;
  path: string;
  type: ProcedureType;
  /** null when the procedure declares none: the matrix test fails on it */
  access: AccessRule | null;
}

/** The procedures of both routers, web first, each in the order its router lists them. */
export function listProcedures(routers: Record<Server, AnyRouter>): ProcedureEntry[] {
  return (Object.keys(routers) as Server[]).flatMap((server) =>
    // at run time `_def.procedures` is flat, keyed by the full path ("chat.send")
    Object.entries(routers[server]._def.procedures as Record<string, AnyProcedure>).map(([path, procedure]) => ({
      server,
      path,
      type: procedure._def.type,
      access: (procedure._def.meta as ProcedureMeta | undefined)?.access ?? null,
    })),
  );
}

/**
 * Who calls. The first four are kinds of caller with no relation to the object the input names (they send the
 * host's ids); the others exist for procedures with a relation:
 *   non-member: an account, host of another object of the same kind (another meeting, group, call), using this one's ids;
 *   guest member: a guest with the weaker side of the relation, where a guest can have it (a participant of a meeting);
 *   member: the weaker side of the relation (a participant who is not the host, a group member who is not its
 *     admin, a member who did not send the message, the other side of the call);
 *   host: the relation itself (the meeting's host, the group's admin, the message's sender, the side of the
 *     call the procedure acts for: the callee answers or declines, the caller cancels; the invited person, whose
 *     invitation the member, its inviter, cannot answer).
 */
export const CALLERS = ["anonymous", "guest", "user", "admin", "non-member", "guest member", "member", "host"] as const;
export type CallerColumn = (typeof CALLERS)[number];
export const RELATION_CALLERS: readonly CallerColumn[] = ["non-member", "guest member", "member", "host"];

export type Expected = { allow: true } | { allow: false; code: DenyCode };
export type DenyCode = "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND";

/**
 * How a relation refuses. Meetings answer FORBIDDEN ("you are not in this meeting"): their codes are shared
 * openly. Conversations, their messages and calls answer NOT_FOUND to outsiders, so nobody learns that a
 * conversation exists; a member lacking the role (not the group's admin, not the sender) gets FORBIDDEN.
 */
export const RELATION_DENIALS: Record<Relation, { outsider: DenyCode; member: DenyCode | "allow" }> = {
  "meeting participant": { outsider: "FORBIDDEN", member: "allow" },
  "meeting host": { outsider: "FORBIDDEN", member: "FORBIDDEN" },
  "conversation member": { outsider: "NOT_FOUND", member: "allow" },
  "group admin": { outsider: "NOT_FOUND", member: "FORBIDDEN" },
  "message sender": { outsider: "NOT_FOUND", member: "FORBIDDEN" },
  "call party": { outsider: "NOT_FOUND", member: "NOT_FOUND" },
  // only the invited person answers an invitation; whoever else names the group finds none of theirs
  invitee: { outsider: "NOT_FOUND", member: "NOT_FOUND" },
};

/** Codes that mean "refused" for a procedure: a kind check's, and its relation's. Anything else passed authorization. */
export function denialCodes(rule: AccessRule): Set<string> {
  const codes = new Set<string>(["UNAUTHORIZED", "FORBIDDEN"]);
  if (rule.on) codes.add(RELATION_DENIALS[rule.on].outsider);
  return codes;
}

/**
 * What the rule says `caller` gets: allowed, or the code it is refused with. null: not applicable (no relation, or
 * a guest member where the procedure's object cannot have a guest as a member: `guestCanBeMember`).
 */
export function expectedOutcome(rule: AccessRule, caller: CallerColumn, guestCanBeMember = false): Expected | null {
  if (!rule.on && RELATION_CALLERS.includes(caller)) return null;
  if (caller === "guest member" && !guestCanBeMember) return null;
  const guest = caller === "guest" || caller === "guest member";
  if (caller === "anonymous" && rule.caller !== "anyone") return { allow: false, code: "UNAUTHORIZED" };
  if (guest && (rule.caller === "user" || rule.caller === "admin")) return { allow: false, code: "FORBIDDEN" };
  if (caller !== "admin" && caller !== "anonymous" && !guest && rule.caller === "admin") return { allow: false, code: "FORBIDDEN" };
  if (!rule.on || caller === "host") return { allow: true };
  const denial = RELATION_DENIALS[rule.on];
  if (caller === "member" || caller === "guest member") return denial.member === "allow" ? { allow: true } : { allow: false, code: denial.member };
  return { allow: false, code: denial.outsider };
}

export const describeRule = (rule: AccessRule | null): string => (rule ? (rule.on ? `${rule.caller}, ${rule.on}` : rule.caller) : "(none)");
export const describeExpected = (expected: Expected | null): string => (expected === null ? "—" : expected.allow ? "allow" : expected.code);

/** docs/authorization.md: the rule and the expected outcome of every procedure for every caller. */
export function renderAuthorizationDoc(procedures: ProcedureEntry[], guestCanBeMember: (path: string) => boolean): string {
  const rows = procedures.map((p) => {
    const cells = CALLERS.map((caller) => (p.access ? describeExpected(expectedOutcome(p.access, caller, guestCanBeMember(p.path))) : "?"));
    return `| ${p.server} | \`${p.path}\` | ${p.type} | ${describeRule(p.access)} | ${cells.join(" | ")} |`;
  });
  const relations = (Object.keys(RELATION_DENIALS) as Relation[]).map(
    (relation) => `| ${relation} | ${RELATION_DENIALS[relation].outsider} | ${RELATION_DENIALS[relation].member === "allow" ? "allow" : RELATION_DENIALS[relation].member} |`,
  );
  return [
    "# Authorization matrix",
    "",
    "Generated from the routers (`packages/api/src/root.ts` served over HTTP by the web app, `packages/api/src/realtimeRoot.ts`",
    "over WebSocket by the realtime server) by `npm run docs:authorization`; do not edit by hand. Every procedure declares",
    "`.meta(access(caller, relation?))`; `packages/api/src/authorization/matrix.int.test.ts` calls every procedure through the",
    "real servers as each caller below and checks that it gets what this table says (a procedure without an access rule or",
    "without a fixture fails it), and `authorization.test.ts` fails when this file differs from what the routers say.",
    "",
    "Callers: **anonymous** (no session), **guest**, **user** (an account), **admin**: none of them related to the object",
    "the input names (they send its host's ids). For procedures acting on an object (a relation), also: **non-member** (an",
    "account that is the host of another such object), **guest member** (a guest on the weaker side, where a guest can be:",
    "a participant of a meeting), **member** (an account on the weaker side: a participant, a group member, a",
    "member who did not send the message, the other side of the call) and **host** (the relation itself: the meeting's",
    "host, the group's admin, the message's sender, the side of the call the procedure acts for). `allow` means the call",
    "passed authorization (its answer may still be another error, e.g. NOT_FOUND for a made-up media id in a meeting);",
    "otherwise the error code it is refused with. `—`: not applicable.",
    "",
    "| relation | outsiders get | the weaker side gets |",
    "|---|---|---|",
    ...relations,
    "",
    `| server | procedure | type | rule | ${CALLERS.join(" | ")} |`,
    `|---|---|---|---|${CALLERS.map(() => "---").join("|")}|`,
    ...rows,
    "",
  ].join("\n");
}
