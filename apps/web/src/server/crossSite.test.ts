import { describe, expect, test } from "vitest";
import { crossSiteRefusal } from "./crossSite";

const post = (headers: Record<string, string>) => new Request("http://localhost:3000/api/trpc/meeting.create", { method: "POST", headers: { host: "localhost:3000", ...headers } });

describe("tRPC over HTTP: who may change things", () => {
  test("our own pages and programs sending JSON may", () => {
    expect(crossSiteRefusal(post({ "content-type": "application/json", "sec-fetch-site": "same-origin", origin: "http://localhost:3000" }))).toBeNull();
    // behind an https proxy the scheme differs, the host does not
    expect(crossSiteRefusal(post({ "content-type": "application/json; charset=utf-8", origin: "https://localhost:3000" }))).toBeNull();
    expect(crossSiteRefusal(post({ "content-type": "application/json" }))).toBeNull();
    expect(crossSiteRefusal(new Request("http://localhost:3000/api/trpc/meeting.get", { headers: { "sec-fetch-site": "cross-site" } }))).toBeNull();
  });

  test("another site's page may not, whatever it sends", () => {
    expect(crossSiteRefusal(post({ "content-type": "application/json", "sec-fetch-site": "cross-site" }))).toMatchObject({ status: 403 });
    expect(crossSiteRefusal(post({ "content-type": "application/json", "sec-fetch-site": "same-site", origin: "http://evil.localhost:3000" }))).toMatchObject({ status: 403 });
    expect(crossSiteRefusal(post({ "content-type": "application/json", origin: "https://evil.example" }))).toMatchObject({ status: 403 });
    expect(crossSiteRefusal(post({ "content-type": "application/json", origin: "null" }))).toMatchObject({ status: 403 });
  });

  test("a form post is refused even without origin headers", () => {
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]) {
      expect(crossSiteRefusal(post({ "content-type": type }))).toMatchObject({ status: 415, message: expect.stringContaining("JSON") });
    }
    expect(crossSiteRefusal(post({}))).toMatchObject({ status: 415 });
  });
});

describe("REST over HTTP (/api/v1): who may change things", () => {
  const rest = (method: string, headers: Record<string, string>, body?: string) =>
    new Request("http://localhost:3000/api/v1/meetings/abcd2345/end", { method, headers: { host: "localhost:3000", ...headers }, body });

  test("every method but GET and HEAD is checked, a token call like any other", () => {
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      expect(crossSiteRefusal(rest(method, { "sec-fetch-site": "cross-site", authorization: "Bearer qm_x" }), { bodyless: "allowed" })).toMatchObject({ status: 403 });
      expect(crossSiteRefusal(rest(method, { origin: "https://evil.example" }), { bodyless: "allowed" })).toMatchObject({ status: 403 });
    }
    expect(crossSiteRefusal(rest("HEAD", { "sec-fetch-site": "cross-site" }), { bodyless: "allowed" })).toBeNull();
  });

  test("a program may send no body and no type; a body must be JSON", () => {
    expect(crossSiteRefusal(rest("POST", {}), { bodyless: "allowed" })).toBeNull();
    expect(crossSiteRefusal(rest("POST", { "content-type": "application/json" }, "{}"), { bodyless: "allowed" })).toBeNull();
    expect(crossSiteRefusal(rest("POST", { "content-type": "text/plain" }, "{}"), { bodyless: "allowed" })).toMatchObject({ status: 415 });
    expect(crossSiteRefusal(rest("POST", { "content-type": "application/x-www-form-urlencoded" }), { bodyless: "allowed" })).toMatchObject({ status: 415 });
    expect(crossSiteRefusal(rest("PATCH", { "content-length": "2" }, "{}"), { bodyless: "allowed" })).toMatchObject({ status: 415 });
    // tRPC itself always wants JSON
    expect(crossSiteRefusal(rest("POST", {}))).toMatchObject({ status: 415 });
  });
});
