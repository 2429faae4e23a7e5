// A page on another site cannot use a signed-in visitor's cookie to change anything: through the real web app,
// a cross-site fetch and a form post to a tRPC mutation are refused and create nothing, while our own client works.
import { afterAll, beforeAll, expect, test } from "vitest";
import { newUser, webClient } from "../../../../tests/harness/clients.ts";
import { startWeb, type WebServer } from "../../../../tests/harness/servers.ts";

let web: WebServer;

beforeAll(async () => {
  web = await startWeb();
});

afterAll(async () => {
  await web?.stop();
});

const createMeeting = (cookie: string, headers: Record<string, string>, body: string) =>
  fetch(`${web.url}/api/trpc/meeting.create`, { method: "POST", headers: { cookie, ...headers }, body });

test("a cross-site request or a form post with the visitor's cookie is refused and creates no meeting", async () => {
  const victim = await newUser(web.url, "Victor Visitor");
  const json = JSON.stringify({ json: { title: "Made elsewhere", maxParticipants: 10 } });

  const fromEvil = await createMeeting(victim.cookie, { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site" }, json);
  expect(fromEvil.status).toBe(403);
  expect(await fromEvil.json()).toMatchObject({ error: { message: "Changes are accepted only from QualMeet's own pages." } });

  // a plain HTML form sends no JSON (and older browsers no Origin)
  const form = await createMeeting(victim.cookie, { "content-type": "application/x-www-form-urlencoded" }, `title=Made+elsewhere`);
  expect(form.status).toBe(415);
  const textPlain = await createMeeting(victim.cookie, { "content-type": "text/plain" }, json);
  expect(textPlain.status).toBe(415);

  const client = webClient(web.url, victim.cookie);
  expect((await client.meeting.listMine.query()).items.map((m) => m.title)).toEqual([]);
  // the typed client (JSON, no Origin) and the app's own pages (same origin) still work
  await client.meeting.create.mutate({ title: "Made here", maxParticipants: 10 });
  const sameOrigin = await createMeeting(
    victim.cookie,
    { "content-type": "application/json", origin: web.url, "sec-fetch-site": "same-origin" },
    JSON.stringify({ json: { title: "Made on our page", maxParticipants: 10 } }),
  );
  expect(sameOrigin.status).toBe(200);
  expect((await client.meeting.listMine.query()).items.map((m) => m.title).sort()).toEqual(["Made here", "Made on our page"]);
});
