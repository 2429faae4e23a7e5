// What the HTTP client sends: where, with which credentials, and a refused token value before anything is sent.
import superjson from "superjson";
import { expect, test } from "vitest";
import { createWebClient } from "./web.ts";

interface Sent {
  url: string;
  headers: Headers;
  credentials: RequestInit["credentials"];
}

/** A fetch that records each request and answers every call with `data`. */
function recordingFetch(data: unknown) {
  const sent: Sent[] = [];
  const fetch = (async (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) => {
    const url = String(input);
    sent.push({ url, headers: new Headers(init?.headers), credentials: init?.credentials });
    const { pathname, searchParams } = new URL(url, "http://page.test");
    const answer = { result: { data: superjson.serialize(data) } };
    const calls = pathname.split("/").pop()!.split(",").length;
    const body = searchParams.has("batch") ? Array.from({ length: calls }, () => answer) : answer;
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { sent, fetch };
}

test("a token call goes to the web app's tRPC path with the bearer header and without cookies", async () => {
  const { sent, fetch } = recordingFetch({ id: "m1", code: "abcdefgh" });
  const client = createWebClient({ url: "https://meet.example.com/", token: "qm_secret", cookie: "ignored=1", fetch });
  expect(await client.meeting.create.mutate({ title: "Standup", maxParticipants: 4 })).toEqual({ id: "m1", code: "abcdefgh" });
  expect(sent).toHaveLength(1);
  expect(sent[0]!.url).toMatch(/^https:\/\/meet\.example\.com\/api\/trpc\/meeting\.create\?batch=1/);
  expect(sent[0]!.headers.get("authorization")).toBe("Bearer qm_secret");
  expect(sent[0]!.headers.get("cookie")).toBeNull();
  expect(sent[0]!.credentials).toBe("omit");
});

test("in a page: the same origin and the browser's cookies, calls made together in one request", async () => {
  const { sent, fetch } = recordingFetch([]);
  const client = createWebClient({ fetch });
  await Promise.all([client.chat.list.query(), client.meeting.listMine.query({})]);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.url).toMatch(/^\/api\/trpc\/chat\.list,meeting\.listMine\?batch=1/);
  expect(sent[0]!.credentials).toBe("include");
  expect(sent[0]!.headers.get("authorization")).toBeNull();
});

test("from Node with a session cookie, one request per call when batching is off", async () => {
  const { sent, fetch } = recordingFetch([]);
  const client = createWebClient({ url: "http://localhost:3000", cookie: "next-auth.session-token=abc", batch: false, fetch });
  await Promise.all([client.chat.list.query(), client.chat.list.query()]);
  expect(sent.map((s) => s.headers.get("cookie"))).toEqual(["next-auth.session-token=abc", "next-auth.session-token=abc"]);
});

test("a value that is not a QualMeet token is refused before anything is sent (the server would treat the call as anonymous)", () => {
  const { sent, fetch } = recordingFetch(null);
  for (const token of ["secret", "Bearer qm_x", "qm_abc\r\nx-admin: 1", "qm_"]) {
    expect(() => createWebClient({ url: "http://localhost:3000", token, fetch })).toThrow(/starts with "qm_"/);
  }
  expect(sent).toEqual([]);
});
