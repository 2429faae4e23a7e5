import { describe, expect, test } from "vitest";
import { splitLinks } from "./links.ts";

describe("splitLinks", () => {
  test("web addresses become links, the rest stays text", () => {
    expect(splitLinks("see https://example.com/a?b=1, then www.test.org.")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { kind: "text", text: ", then " },
      { kind: "link", text: "www.test.org", href: "https://www.test.org/" },
      { kind: "text", text: "." },
    ]);
  });

  test("markup and script addresses are text", () => {
    const body = `<img src=x onerror=alert(1)> javascript:alert(1) <a href="https://evil.test">x</a>`;
    const parts = splitLinks(body);
    expect(parts.filter((p) => p.kind === "link").map((p) => p.href)).toEqual(["https://evil.test/"]);
    expect(parts.map((p) => p.text).join("")).toBe(body);
  });

  test("a closing parenthesis inside the address stays in the link", () => {
    expect(splitLinks("(https://en.wikipedia.org/wiki/Foo_(bar))")[1]).toMatchObject({ text: "https://en.wikipedia.org/wiki/Foo_(bar)" });
  });
});
