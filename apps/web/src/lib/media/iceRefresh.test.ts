// The background refresh of ICE servers (TURN credentials): when it fetches (3/4 of the life the server gave),
// that it applies what it fetched, retries a failed fetch, shows the relay notice once and stops when the meeting is left.
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { ICE_RETRY_MS, IceRefresh } from "./iceRefresh";
import type { IceServersGrant } from "./signaling";

const turn = (credential: string): RTCIceServer[] => [{ urls: "stun:turn.example.org:3478" }, { urls: "turn:turn.example.org:3478", username: "1:u", credential }];
const grant = (credential: string, expiresInS: number, relayNotice: string | null = null): IceServersGrant => ({ iceServers: turn(credential), expiresInS, relayNotice });

let answers: Array<IceServersGrant | Error>;
let fetched: number;
let applied: RTCIceServer[][];
let notices: string[];
let refresh: IceRefresh;

beforeEach(() => {
  vi.useFakeTimers();
  answers = [];
  fetched = 0;
  applied = [];
  notices = [];
  refresh = new IceRefresh({
    fetch: async () => {
      fetched++;
      const answer = answers.shift();
      if (!answer) throw new Error("no answer left");
      if (answer instanceof Error) throw answer;
      return answer;
    },
    apply: async (iceServers) => void applied.push(iceServers),
    notify: (text) => void notices.push(text),
  });
});

afterEach(() => {
  refresh.close();
  vi.useRealTimers();
});

test("fetches at 3/4 of the joined credential's life, applies the new servers, then follows the new life", async () => {
  refresh.start(grant("joined", 900));
  answers.push(grant("second", 120), grant("third", 3600));
  await vi.advanceTimersByTimeAsync(675_000 - 1);
  expect(fetched).toBe(0);
  await vi.advanceTimersByTimeAsync(1);
  expect(fetched).toBe(1);
  expect(applied).toEqual([turn("second")]);
  // the second credential lives 120 s: the next fetch comes 90 s later, not 675 s
  await vi.advanceTimersByTimeAsync(90_000);
  expect(fetched).toBe(2);
  expect(applied).toEqual([turn("second"), turn("third")]);
});

test("a failed fetch keeps the servers in use and tries again a minute later", async () => {
  refresh.start(grant("joined", 3600));
  answers.push(new Error("socket down"), grant("later", 3600));
  await vi.advanceTimersByTimeAsync(2_700_000);
  expect(fetched).toBe(1);
  expect(applied).toEqual([]);
  await vi.advanceTimersByTimeAsync(ICE_RETRY_MS);
  expect(fetched).toBe(2);
  expect(applied).toEqual([turn("later")]);
});

test("the relay allowance notice is shown once, however many answers carry it", async () => {
  const notice = "You have used today's relay allowance; calls behind strict firewalls may fail.";
  refresh.start(grant("joined", 600, notice));
  answers.push(grant("a", 600, notice), grant("b", 600, notice));
  await vi.advanceTimersByTimeAsync(2 * 450_000);
  expect(fetched).toBe(2);
  expect(notices).toEqual([notice]);
});

test("after leaving, nothing more is fetched or applied", async () => {
  refresh.start(grant("joined", 600));
  answers.push(grant("a", 600));
  refresh.close();
  await vi.advanceTimersByTimeAsync(3_600_000);
  expect(fetched).toBe(0);
  expect(applied).toEqual([]);
});

test("before a reconnect, credentials past their refresh time (a frozen tab ran no timer) are fetched once, fresh ones are not", async () => {
  refresh.start(grant("join", 3600));
  answers.push(grant("fresh", 3600));
  await refresh.ensureFresh();
  expect(fetched).toBe(0);
  // the tab was frozen past the refresh time: its timer has not run, the connection is in trouble
  vi.setSystemTime(Date.now() + 3600 * 1000);
  await Promise.all([refresh.ensureFresh(), refresh.ensureFresh()]);
  expect(fetched).toBe(1);
  expect(applied).toEqual([turn("fresh")]);
  await refresh.ensureFresh();
  expect(fetched).toBe(1);
});
