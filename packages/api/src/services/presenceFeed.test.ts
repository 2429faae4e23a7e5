import { expect, test, vi } from "vitest";
import type { OnlineUser } from "./presence.ts";
import { PresenceFeed, type ContactsSource } from "./presenceFeed.ts";

const person = (id: string): OnlineUser => ({ id, name: id.toUpperCase(), isGuest: false });

/** Redis as the feed sees it: who is online, and how often it was asked. */
function fakeRegistry(initial: string[]) {
  let online = initial;
  const readAll = vi.fn(async () => online.map(person));
  return { readAll, set: (ids: string[]) => (online = ids) };
}

/** A subscriber's contacts, changeable like a new DM would change them. */
function fakeContacts(initial: string[]) {
  let ids = new Set(initial);
  let changed: (() => void) | null = null;
  const source: ContactsSource = {
    read: vi.fn(async () => ids),
    watch: async (listener) => {
      changed = listener;
      return () => (changed = null);
    },
  };
  return { source, set: (next: string[]) => ((ids = new Set(next)), changed?.()) };
}

/** Pulls snapshots from a subscriber's generator into a list. */
function collect(feed: PresenceFeed, contacts: ContactsSource) {
  const abort = new AbortController();
  const seen: string[][] = [];
  const done = (async () => {
    for await (const users of feed.watch(abort.signal, contacts)) seen.push(users.map((u) => u.id));
  })();
  return { seen, latest: () => seen.at(-1), stop: () => (abort.abort(), done) };
}

test("a subscriber sees only its contacts who are online, never anyone else", async () => {
  const registry = fakeRegistry(["ann", "bob", "stranger"]);
  const feed = new PresenceFeed(registry.readAll);
  const ann = collect(feed, fakeContacts(["bob", "carol"]).source);
  await vi.waitFor(() => expect(ann.latest()).toEqual(["bob"]));
  registry.set(["ann", "bob", "carol", "stranger", "other"]);
  feed.changed();
  await vi.waitFor(() => expect(ann.latest()).toEqual(["bob", "carol"]));
  expect(ann.seen.flat()).not.toContain("stranger");
  await ann.stop();
});

test("one read of who is online serves every subscriber of the node, however many there are", async () => {
  const registry = fakeRegistry(["a", "b"]);
  const feed = new PresenceFeed(registry.readAll);
  const subscribers = Array.from({ length: 50 }, () => collect(feed, fakeContacts(["a", "b", "c"]).source));
  await vi.waitFor(() => subscribers.forEach((s) => expect(s.latest()).toEqual(["a", "b"])));
  const readsBefore = registry.readAll.mock.calls.length;
  registry.set(["a", "b", "c"]);
  feed.changed();
  await vi.waitFor(() => subscribers.forEach((s) => expect(s.latest()).toEqual(["a", "b", "c"])));
  expect(registry.readAll.mock.calls.length - readsBefore).toBe(1);
  // a burst of changes while reading coalesces into one more read
  for (let i = 0; i < 20; i++) feed.changed();
  await vi.waitFor(() => expect(registry.readAll.mock.calls.length - readsBefore).toBe(3));
  await Promise.all(subscribers.map((s) => s.stop()));
});

test("a new contact (a DM just started) appears without waiting for someone to come or go", async () => {
  const registry = fakeRegistry(["bob", "dora"]);
  const feed = new PresenceFeed(registry.readAll);
  const contacts = fakeContacts(["bob"]);
  const ann = collect(feed, contacts.source);
  await vi.waitFor(() => expect(ann.latest()).toEqual(["bob"]));
  contacts.set(["bob", "dora"]);
  await vi.waitFor(() => expect(ann.latest()).toEqual(["bob", "dora"]));
  // and one who left the group disappears
  contacts.set(["dora"]);
  await vi.waitFor(() => expect(ann.latest()).toEqual(["dora"]));
  await ann.stop();
});
