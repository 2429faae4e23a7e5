// Who is online, as each presence.online subscriber may see it. A node keeps ONE snapshot of everyone online,
// re-read from Redis once per change (changes arriving during a read coalesce into one more read) and shared by
// all of its subscribers; each subscriber filters it by its own contacts, which it reads from the database when it
// starts and again only when its user's conversations change. A thousand subscribers on a node cost one Redis
// read per change, not a thousand.
import { logger } from "@qualmeet/log";
import type { OnlineUser } from "./presence.ts";

type Snapshot = ReadonlyMap<string, OnlineUser>;
type Listener = (online: Snapshot) => void;

export interface ContactsSource {
  /** the ids whose presence the subscriber may see */
  read(): Promise<ReadonlySet<string>>;
  /** calls `changed` whenever the contacts may have changed, until the returned function is called */
  watch(changed: () => void): Promise<() => void>;
}

export class PresenceFeed {
  private readonly listeners = new Set<Listener>();
  private current: Snapshot | null = null;
  private reading = false;
  private stale = false;

  /** `readAll` reads everyone online from Redis (PresenceRegistry.snapshot). */
  constructor(private readonly readAll: () => Promise<OnlineUser[]>) {}

  /** Someone came or went somewhere: read once for every subscriber of this node (none: nothing to read). */
  changed(): void {
    if (this.listeners.size === 0) {
      this.current = null;
      return;
    }
    if (this.reading) {
      this.stale = true;
      return;
    }
    this.reading = true;
    this.readAll()
      .then((users) => {
        this.current = new Map(users.map((user) => [user.id, user]));
        for (const listener of this.listeners) listener(this.current);
      })
      .catch((err: unknown) => {
        // the subscribers keep the last snapshot; the next change (or heartbeat sweep) reads again
        logger.warn({ err }, "presence: reading who is online failed: subscribers keep the previous list until the next change");
      })
      .finally(() => {
        this.reading = false;
        if (this.stale) {
          this.stale = false;
          this.changed();
        }
      });
  }

  /** Calls `listener` with the current snapshot (at once if there is one) and every later one. */
  private listen(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.current) listener(this.current);
    else this.changed();
    return () => {
      this.listeners.delete(listener);
      // with nobody listening, changes are not followed: the snapshot would go stale
      if (this.listeners.size === 0) this.current = null;
    };
  }

  /** The subscriber's contacts who are online: the list now, then again whenever it changes, until `signal` aborts. */
  async *watch(signal: AbortSignal | undefined, contacts: ContactsSource): AsyncGenerator<OnlineUser[]> {
    let online: Snapshot | null = null;
    let contactsStale = true;
    // set by every notification, so one arriving while this generator reads or yields is not lost
    let news = true;
    let wake: (() => void) | null = null;
    const notify = () => {
      news = true;
      wake?.();
    };
    const stopContacts = await contacts.watch(() => {
      contactsStale = true;
      notify();
    });
    const stopListening = this.listen((snapshot) => {
      online = snapshot;
      notify();
    });
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    let visible: ReadonlySet<string> = new Set();
    let last: string | null = null;
    try {
      while (!signal?.aborted) {
        if (!news) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = null;
          continue;
        }
        news = false;
        if (contactsStale) {
          contactsStale = false;
          visible = await contacts.read();
        }
        if (!online) continue;
        const snapshot: Snapshot = online;
        const users = [...visible].flatMap((id) => snapshot.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
        const key = JSON.stringify(users);
        if (key !== last) {
          last = key;
          yield users;
        }
      }
    } finally {
      stopListening();
      stopContacts();
    }
  }
}
