import { afterEach, describe, expect, test, vi } from "vitest";
import { Outbox, type UnsentMessage } from "./outbox.ts";
import type { ChatMessage } from "./types.ts";

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => void this.data.set(key, value);
}

const sent = (m: UnsentMessage): ChatMessage => ({
  id: `id-${m.clientId}`,
  conversationId: m.conversationId,
  clientId: m.clientId,
  sender: { id: "u1", name: "Ann", isGuest: false },
  body: m.body,
  replyTo: null,
  createdAt: new Date(),
  editedAt: null,
  deletedAt: null,
});

function outbox(send: (m: UnsentMessage) => Promise<ChatMessage>, storage = new MemoryStorage()) {
  const delivered: ChatMessage[] = [];
  const box = new Outbox({
    storage,
    storageKey: "outbox",
    send,
    isPermanent: (e) => e instanceof Error && e.message === "FORBIDDEN",
    describe: (e) => (e instanceof Error ? e.message : "failed"),
    onChange: () => undefined,
    onSent: (m) => delivered.push(m),
  });
  return { box, delivered, storage };
}

afterEach(() => vi.useRealTimers());

describe("Outbox", () => {
  test("a failed send is kept, retried with the same client id, and delivered once", async () => {
    vi.useFakeTimers();
    const attempts: string[] = [];
    let up = false;
    const { box, delivered, storage } = outbox(async (m) => {
      attempts.push(m.clientId);
      if (!up) throw new Error("Redis is down");
      return sent(m);
    });
    const message = box.add({ conversationId: "c1", body: "hello", replyTo: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(box.list()).toMatchObject([{ clientId: message.clientId, state: "retrying", error: "Redis is down" }]);
    expect(JSON.parse(storage.getItem("outbox")!)).toHaveLength(1);
    up = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toEqual([message.clientId, message.clientId]);
    expect(delivered.map((m) => m.body)).toEqual(["hello"]);
    expect(box.list()).toEqual([]);
    expect(JSON.parse(storage.getItem("outbox")!)).toEqual([]);
  });

  test("messages left by a previous page are sent in order", async () => {
    const first = outbox(() => new Promise(() => undefined));
    first.box.add({ conversationId: "c1", body: "one", replyTo: null });
    first.box.add({ conversationId: "c1", body: "two", replyTo: null });
    first.box.close();
    const order: string[] = [];
    const second = outbox(async (m) => (order.push(m.body), sent(m)), first.storage);
    expect(second.box.list().map((m) => m.state)).toEqual(["retrying", "retrying"]);
    second.box.flush();
    await vi.waitFor(() => expect(second.box.list()).toEqual([]));
    expect(order).toEqual(["one", "two"]);
  });

  test("a refusal for good is not retried", async () => {
    const { box } = outbox(async () => {
      throw new Error("FORBIDDEN");
    });
    box.add({ conversationId: "c1", body: "hi", replyTo: null });
    await vi.waitFor(() => expect(box.list()).toMatchObject([{ state: "failed", error: "FORBIDDEN" }]));
  });
});
