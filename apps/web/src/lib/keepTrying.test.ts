import { TRPCClientError } from "@trpc/client";
import { afterEach, expect, test, vi } from "vitest";
import { keepTrying } from "./keepTrying";

afterEach(() => {
  vi.useRealTimers();
});

/** A tRPC error as the client sees it from the server (code and message in plain words). */
const refusal = (code: string, message: string) => Object.assign(new TRPCClientError(message), { data: { code } });

function track() {
  const seen: string[] = [];
  return {
    seen,
    handlers: {
      onRetry: (message: string, retryInMs: number) => seen.push(`retry in ${retryInMs}: ${message}`),
      onSuccess: () => seen.push("loaded"),
      onPermanent: (error: unknown) => seen.push(`gave up: ${(error as Error).message}`),
    },
  };
}

test("a failed load says why and is tried again, with growing pauses, until it succeeds", async () => {
  vi.useFakeTimers();
  const results = [refusal("SERVICE_UNAVAILABLE", "The database is unavailable right now."), new TRPCClientError("fetch failed"), null];
  const load = vi.fn(async () => {
    const next = results.shift();
    if (next) throw next;
  });
  const { seen, handlers } = track();
  keepTrying(load, handlers);
  await vi.waitFor(() => expect(seen).toHaveLength(1));
  await vi.advanceTimersByTimeAsync(1000);
  await vi.advanceTimersByTimeAsync(2000);
  expect(seen).toEqual([
    "retry in 1000: The database is unavailable right now.",
    // no answer from the server: plain words, not the transport's text
    "retry in 2000: The server could not be reached. Check your connection; we will keep trying.",
    "loaded",
  ]);
  expect(load).toHaveBeenCalledTimes(3);
});

test("a refusal no retry can change stops the tries; cancelling stops them too", async () => {
  vi.useFakeTimers();
  const { seen, handlers } = track();
  keepTrying(() => Promise.reject(refusal("NOT_FOUND", "This conversation is not available.")), handlers);
  await vi.waitFor(() => expect(seen).toEqual(["gave up: This conversation is not available."]));

  const load = vi.fn(() => Promise.reject(new TRPCClientError("fetch failed")));
  const stop = keepTrying(load, track().handlers);
  await vi.waitFor(() => expect(load).toHaveBeenCalledTimes(1));
  stop();
  await vi.advanceTimersByTimeAsync(60_000);
  expect(load).toHaveBeenCalledTimes(1);
});
