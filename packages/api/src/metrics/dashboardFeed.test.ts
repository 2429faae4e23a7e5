import { expect, test, vi } from "vitest";
import type { DashboardSnapshot } from "./dashboard.ts";
import { DashboardFeed, type DashboardSource } from "./dashboardFeed.ts";
import { aggregateDashboard } from "./dashboard.ts";
import { sumMinutes } from "./matchWaits.ts";

const numbers = { randomQueue: 0, randomActivePairs: 0, chatOutboxBacklog: 0, reportsWaiting: 0, oldestReportWaitSeconds: 0, turnConfigured: false };

/** A source whose queue length the test sets, counting its reads; `changed()` is what a node's change notice does. */
function fakeSource() {
  let queue = 0;
  let reads = 0;
  let changed: (() => void) | null = null;
  const source: DashboardSource = {
    read: async () => {
      reads++;
      return { snapshot: aggregateDashboard([], { ...numbers, randomQueue: queue }, sumMinutes([]), [], Date.now() + reads), nodes: [] };
    },
    onChange: async (listener) => {
      changed = listener;
      return () => (changed = null);
    },
  };
  return {
    source,
    get reads() {
      return reads;
    },
    get following() {
      return changed !== null;
    },
    setQueue: (n: number) => (queue = n),
    changed: () => changed?.(),
  };
}

function watch(feed: DashboardFeed) {
  const abort = new AbortController();
  const got: DashboardSnapshot[] = [];
  const done = (async () => {
    for await (const snapshot of feed.watch(abort.signal)) got.push(snapshot);
  })();
  return {
    got,
    queues: () => got.map((s) => s.randomQueue),
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

test("every subscriber of a node gets the same snapshots from one read per change, and only when the numbers change", async () => {
  const source = fakeSource();
  // no ticks during the test: reads happen on change notices only
  const feed = new DashboardFeed(source.source, 3_600_000);
  const watchers = [watch(feed), watch(feed), watch(feed)];
  await vi.waitFor(() => expect(watchers.map((w) => w.got.length)).toEqual([1, 1, 1]));
  const readsAtStart = source.reads;

  source.setQueue(4);
  source.changed();
  await vi.waitFor(() =>
    expect(watchers.map((w) => w.queues())).toEqual([
      [0, 4],
      [0, 4],
      [0, 4],
    ]),
  );
  expect(source.reads).toBe(readsAtStart + 1);

  // the same numbers read again (only the time moved) reach nobody; new ones reach everyone
  source.changed();
  await vi.waitFor(() => expect(source.reads).toBe(readsAtStart + 2));
  source.setQueue(5);
  source.changed();
  await vi.waitFor(() =>
    expect(watchers.map((w) => w.queues())).toEqual([
      [0, 4, 5],
      [0, 4, 5],
      [0, 4, 5],
    ]),
  );

  // with nobody watching, nothing is read or followed
  await Promise.all(watchers.map((w) => w.stop()));
  await vi.waitFor(() => expect(source.following).toBe(false));
  const readsAtEnd = source.reads;
  source.changed();
  expect(source.reads).toBe(readsAtEnd);
});

test("without change notices the numbers are still read every tick", async () => {
  const source = fakeSource();
  const feed = new DashboardFeed(source.source, 20);
  const watcher = watch(feed);
  await vi.waitFor(() => expect(watcher.got).toHaveLength(1));
  source.setQueue(2);
  await vi.waitFor(() => expect(watcher.queues()).toEqual([0, 2]));
  await watcher.stop();
});
