// Without servers: every procedure declares who may call it and has a fixture for the matrix and the fuzzing,
// and the committed docs/authorization.md is what the routers say (`npm run docs:authorization` rewrites it).
import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { fixtures, guestCanBeMember, missingFixtureMessage } from "./fixtures.ts";
import { renderAuthorizationDoc } from "./procedures.ts";
import { AUTHORIZATION_DOC, loadProcedures } from "./routers.ts";

const procedures = await loadProcedures();

describe("authorization rules", () => {
  test("both routers are walked: the web's and the realtime server's procedures", () => {
    expect(procedures.filter((p) => p.server === "web").map((p) => p.path)).toEqual(expect.arrayContaining(["auth.me", "meeting.create", "chat.history"]));
    expect(procedures.filter((p) => p.server === "realtime").map((p) => p.path)).toEqual(expect.arrayContaining(["room.join", "chat.send", "calls.accept"]));
  });

  test("every procedure declares .meta(access(...))", () => {
    const undeclared = procedures.filter((p) => !p.access).map((p) => `${p.server} ${p.path}: add .meta(access(caller, relation?)) (packages/api/src/trpc.ts)`);
    expect(undeclared).toEqual([]);
  });

  test("every procedure has a fixture, and every fixture a procedure", () => {
    const paths = new Set(procedures.map((p) => p.path));
    expect([...paths].filter((path) => !fixtures[path]).map(missingFixtureMessage)).toEqual([]);
    expect(Object.keys(fixtures).filter((path) => !paths.has(path))).toEqual([]);
  });

  test("docs/authorization.md is the generated one (regenerate: npm run docs:authorization)", async () => {
    const committed = await readFile(AUTHORIZATION_DOC, "utf8").catch(() => "(docs/authorization.md is missing)");
    expect(committed, "docs/authorization.md differs from the routers' rules: run npm run docs:authorization and commit it").toBe(
      renderAuthorizationDoc(procedures, guestCanBeMember),
    );
  });
});
