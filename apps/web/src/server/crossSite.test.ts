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
