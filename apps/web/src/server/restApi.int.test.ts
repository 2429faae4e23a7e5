// The REST API (/api/v1) and its OpenAPI document through the real web app, called as a program in another language
// would: plain HTTP with `Authorization: Bearer qm_...`. A token reaches what its scopes allow and nothing else, the
// failures a developer meets (no token, bad input, a wrong path or method, another site's page) answer clearly.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiTokenScope } from "@qualmeet/api/api-token-scopes";
import { newUser, webClient } from "../../../../tests/harness/clients.ts";
import { repoRoot } from "../../../../tests/harness/paths.ts";
import { startWeb, type WebServer } from "../../../../tests/harness/servers.ts";

let web: WebServer;

beforeAll(async () => {
  web = await startWeb();
});

afterAll(async () => {
  await web?.stop();
});

async function tokenOf(cookie: string, scopes: ApiTokenScope[]): Promise<string> {
  const created = await webClient(web.url, cookie).apiTokens.create.mutate({ name: "REST test", scopes, expiresAt: new Date(Date.now() + 86_400_000) });
  return created.secret;
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function call(method: string, route: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${web.url}/api/v1${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer["body"] };
}

describe("REST API with API tokens", () => {
  test("the OpenAPI document is served, the same as docs/openapi.json", async () => {
    const res = await fetch(`${web.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.text()).toBe(await readFile(path.join(repoRoot, "docs/openapi.json"), "utf8"));
  });

  test("the reference page (/docs/api) shows every operation, drawn on the server with no script from elsewhere", async () => {
    const res = await fetch(`${web.url}/docs/api`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const document = JSON.parse(await readFile(path.join(repoRoot, "docs/openapi.json"), "utf8")) as { paths: Record<string, Record<string, unknown>> };
    for (const [route, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods)) expect(html).toContain(`${method.toUpperCase()} /api/v1${route}`);
    }
    expect(html).toContain("Authorization: Bearer qm_...");
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
  });

  test("a meetings token: who am I, create a meeting, read it back, list, lock, end", async () => {
    const ann = await newUser(web.url, "Rest Ann");
    const token = await tokenOf(ann.cookie, ["meetings:manage"]);

    const me = await call("GET", "/me", { token });
    expect(me).toMatchObject({ status: 200, body: { id: ann.id, name: "Rest Ann", isGuest: false, apiToken: { scopes: ["meetings:manage"] } } });
    expect(me.body.apiToken).toMatchObject({ expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });

    const created = await call("POST", "/meetings", { token, body: { title: "Made over REST", maxParticipants: 10 } });
    expect(created).toMatchObject({ status: 200, body: { title: "Made over REST", maxParticipants: 10, isHost: true, host: { id: ann.id }, status: expect.any(String) } });
    const code = created.body.code as string;
    expect(created.body.createdAt).toEqual(expect.stringMatching(/Z$/));

    expect(await call("GET", `/meetings/${code}`, { token })).toMatchObject({ status: 200, body: { code, title: "Made over REST", live: { participants: 0 } } });
    const page = await call("GET", "/meetings?limit=1", { token });
    expect(page).toMatchObject({ status: 200, body: { items: [{ code }] } });
    expect((await call("PATCH", `/meetings/${code}/access`, { token, body: { locked: true } })).body).toEqual({ locked: true, lobbyEnabled: false });
    // POST without a body: its input is the path
    expect(await call("POST", `/meetings/${code}/end`, { token })).toMatchObject({ status: 200, body: { code, status: "ENDED", endedAt: expect.any(String) } });
    expect((await call("GET", `/meetings/${code}`, { token })).body).toMatchObject({ status: "ENDED", locked: true });
  });

  test("a read-only chat token reads conversations and messages, and is refused a write with 403 naming the scope", async () => {
    const bea = await newUser(web.url, "Rest Bea");
    const cid = await newUser(web.url, "Rest Cid");
    const dm = await webClient(web.url, bea.cookie).chat.createDirect.mutate({ userId: cid.id });
    const reader = await tokenOf(bea.cookie, ["chat:read"]);

    expect((await call("GET", "/conversations", { token: reader })).body).toEqual([expect.objectContaining({ id: dm.id, kind: "DIRECT", title: "Rest Cid" })]);
    expect(await call("GET", `/conversations/${dm.id}/messages?limit=10`, { token: reader })).toMatchObject({ status: 200, body: { messages: [], calls: [], nextCursor: null } });

    const write = await call("POST", "/meetings", { token: reader, body: { title: "Not allowed" } });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining('"meetings:manage"') });
    // someone else's conversation is not there for this token
    const other = await webClient(web.url, cid.cookie).chat.createGroup.mutate({ title: "Cid's own", memberIds: [bea.id] });
    await webClient(web.url, cid.cookie).chat.removeMember.mutate({ conversationId: other.id, userId: bea.id });
    expect((await call("GET", `/conversations/${other.id}`, { token: reader })).status).toBe(404);
  });

  test("no token is 401, a revoked one too; a session cookie works as on the site", async () => {
    const dan = await newUser(web.url, "Rest Dan");
    expect(await call("GET", "/me")).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED" } } });
    expect((await call("GET", "/me", { token: "qm_not-a-real-token" })).status).toBe(401);
    const token = await tokenOf(dan.cookie, ["chat:read"]);
    const [listed] = await webClient(web.url, dan.cookie).apiTokens.list.query();
    await webClient(web.url, dan.cookie).apiTokens.revoke.mutate({ tokenId: listed!.id });
    expect(await call("GET", "/me", { token })).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining("revoked") } } });
    expect(await call("GET", "/me", { headers: { cookie: dan.cookie } })).toMatchObject({ status: 200, body: { id: dan.id, apiToken: null } });
  });

  test("bad input is 400 naming the field; unknown paths 404; a wrong method 405 with Allow", async () => {
    const eve = await newUser(web.url, "Rest Eve");
    const token = await tokenOf(eve.cookie, ["meetings:manage"]);
    const tooSmall = await call("POST", "/meetings", { token, body: { maxParticipants: 1 } });
    expect(tooSmall).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST", message: "maxParticipants: A meeting needs room for at least 2 people." } } });
    expect((await call("GET", "/meetings?limit=many", { token })).body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^limit: /) });
    expect((await call("GET", "/meetings/no!such", { token })).body.error).toMatchObject({ message: expect.stringContaining("8 letters and digits") });
    expect((await call("GET", "/meetings/zzzz9999", { token })).status).toBe(404);
    expect((await call("GET", "/nothing", { token })).status).toBe(404);
    const wrong = await call("DELETE", "/meetings", { token });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST, GET");
    expect(await call("POST", "/meetings", { token, body: "[", headers: { "content-type": "application/json" } })).toMatchObject({ status: 400 });
  });

  test("another site's page cannot change anything with a visitor's cookie", async () => {
    const fay = await newUser(web.url, "Rest Fay");
    const fromElsewhere = await call("POST", "/meetings", { body: {}, headers: { cookie: fay.cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" } });
    expect(fromElsewhere).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
    const form = await fetch(`${web.url}/api/v1/meetings`, {
      method: "POST",
      headers: { cookie: fay.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "title=x",
    });
    expect(form.status).toBe(415);
    expect((await webClient(web.url, fay.cookie).meeting.listMine.query({})).items).toEqual([]);
  });
});
