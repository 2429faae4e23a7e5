// Refusals from the server's error answers, and none from a transport failure.
import { TRPCClientError } from "@trpc/client";
import { describe, expect, test } from "vitest";
import { closeRefusalOf, errorMessage, fieldErrors, refusalOf, withRefusals } from "./refusals.ts";

/** An error as the client builds it from our servers' answer (packages/api's error formatter). */
function answered(message: string, data: Record<string, unknown>) {
  return TRPCClientError.from({
    error: { message, code: -32600, data: { httpStatus: 400, path: "x", errorId: null, field: null, fieldErrors: null, retryAfterMs: null, ...data } },
  });
}
const unreachable = () => TRPCClientError.from(new TypeError("fetch failed"));

describe("refusalOf", () => {
  test("a rate limit says how long to wait", () => {
    const refusal = refusalOf(answered("Too many messages: wait 2 s.", { code: "TOO_MANY_REQUESTS", retryAfterMs: 1800 }));
    expect(refusal).toEqual({ code: "TOO_MANY_REQUESTS", message: "Too many messages: wait 2 s.", retryAfterMs: 1800, field: null, fieldErrors: {}, errorId: null });
  });

  test("an invalid input names its fields", () => {
    const error = answered("body: Write a message.", { code: "BAD_REQUEST", field: "body", fieldErrors: { body: "Write a message." } });
    expect(refusalOf(error)).toMatchObject({ code: "BAD_REQUEST", field: "body", fieldErrors: { body: "Write a message." } });
    expect(fieldErrors(answered("Name taken.", { code: "CONFLICT", field: "name" }))).toEqual({ name: "Name taken." });
  });

  test("no answer from the server, or not a tRPC error at all, is no refusal", () => {
    expect(refusalOf(unreachable())).toBeNull();
    expect(refusalOf(new Error("boom"))).toBeNull();
    expect(refusalOf("nope")).toBeNull();
  });
});

describe("withRefusals", () => {
  test("a refusal becomes a value; success passes through", async () => {
    expect(await withRefusals(Promise.resolve(7))).toEqual({ ok: true, value: 7 });
    const refused = await withRefusals(() => Promise.reject(answered('This API token lacks the scope "chat:send" that chat.send needs.', { code: "FORBIDDEN" })));
    expect(refused).toMatchObject({ ok: false, refusal: { code: "FORBIDDEN", message: expect.stringContaining('"chat:send"') } });
  });

  test("anything that is not a refusal still throws", async () => {
    await expect(withRefusals(Promise.reject(unreachable()))).rejects.toThrow("fetch failed");
  });
});

describe("errorMessage", () => {
  test("shows the server's words, never a transport's", () => {
    expect(errorMessage(answered("This meeting has ended.", { code: "NOT_FOUND" }))).toBe("This meeting has ended.");
    expect(errorMessage(unreachable())).toMatch(/could not be reached/);
    expect(errorMessage(null, "fallback")).toBe("fallback");
  });
});

test("the realtime server's own close codes carry a reason for people; others do not", () => {
  expect(closeRefusalOf({ code: 4008, reason: "too many connections (limit 20)" })).toBe("too many connections (limit 20)");
  expect(closeRefusalOf({ code: 1006, reason: "" })).toBeNull();
  expect(closeRefusalOf({ code: 1001, reason: "going away" })).toBeNull();
});
