// The security headers of the built web app, as a browser receives them on a page and on an API answer.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWeb, type WebServer } from "../../../../tests/harness/servers.ts";

let web: WebServer;
let secure: WebServer;
const REALTIME = "ws://localhost:45999";

beforeAll(async () => {
  [web, secure] = await Promise.all([
    startWeb({ env: { REALTIME_PUBLIC_URL: REALTIME } }),
    // behind an https reverse proxy (the public URL says so)
    startWeb({ env: { NEXTAUTH_URL: "https://meet.example.test", REALTIME_PUBLIC_URL: "wss://rt.example.test" } }),
  ]);
});

afterAll(async () => {
  await Promise.all([web?.stop(), secure?.stop()]);
});

const directives = (policy: string | null) => new Map((policy ?? "").split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

function expectStaticHeaders(res: Response) {
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  expect(res.headers.get("permissions-policy")).toMatch(/camera=\(self\), microphone=\(self\), display-capture=\(self\)/);
}

test("a page: a CSP whose fresh nonce is on every script of the page, and no inline script without it", async () => {
  const nonces: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${web.url}/login`);
    expect(res.status).toBe(200);
    expectStaticHeaders(res);
    const policy = directives(res.headers.get("content-security-policy"));
    const scriptSrc = policy.get("script-src")!;
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    const nonce = /^'nonce-(.+)'$/.exec(scriptSrc.find((s) => s.startsWith("'nonce-"))!)![1]!;
    nonces.push(nonce);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("connect-src")).toContain(REALTIME);
    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  }
  expect(nonces[0]).not.toBe(nonces[1]);
});

test("an API answer and a static file carry the headers too", async () => {
  const api = await fetch(`${web.url}/api/health`);
  expectStaticHeaders(api);
  expect(directives(api.headers.get("content-security-policy")).get("frame-ancestors")).toEqual(["'none'"]);
  const trpc = await fetch(`${web.url}/api/trpc/auth.me`);
  expectStaticHeaders(trpc);
  expect(trpc.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  expectStaticHeaders(await fetch(`${web.url}/icon.svg`));
});

test("under https: HSTS, and insecure requests are upgraded", async () => {
  const res = await fetch(`${secure.url}/login`);
  expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
  const policy = directives(res.headers.get("content-security-policy"));
  expect(policy.has("upgrade-insecure-requests")).toBe(true);
  expect(policy.get("connect-src")).toContain("wss://rt.example.test");
});
