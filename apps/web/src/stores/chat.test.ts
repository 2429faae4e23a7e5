import { beforeEach, describe, expect, test } from "vitest";
import type { ChatMessage, ConversationSummary } from "@/lib/chat/types";
import { useConversationStore } from "./chat.ts";

const ann = { id: "u-ann", name: "Ann", isGuest: false };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const message = (id: string, s: number, patch: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  conversationId: "c1",
  clientId: `client-${id}`,
  sender: ann,
  body: `body ${id}`,
  replyTo: null,
  createdAt: at(s),
  editedAt: null,
  deletedAt: null,
  ...patch,
});
const conversation: ConversationSummary = {
  id: "c1",
  kind: "DIRECT",
  title: "Ann",
  members: [],
  lastMessage: null,
  lastMessageAt: null,
  unread: 0,
  myRole: "MEMBER",
  meetingCode: null,
};

const store = () => useConversationStore.getState();

beforeEach(() => {
  useConversationStore.setState({ conversations: {}, threads: {}, typing: {} });
  store().setList([conversation]);
});

describe("conversation store", () => {
  test("pages and live messages merge oldest first, each once", () => {
    store().setThreadPage("c1", { messages: [message("m3", 3), message("m2", 2)], calls: [], nextCursor: "cursor-1" }, false);
    store().putMessage(message("m4", 4), true);
    store().putMessage(message("m4", 4), true);
    store().setThreadPage("c1", { messages: [message("m1", 1)], calls: [], nextCursor: null }, true);
    const thread = store().threads.c1!;
    expect(thread.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3", "m4"]);
    expect(thread.nextCursor).toBeNull();
    expect(store().conversations.c1!.lastMessage?.id).toBe("m4");
  });

  test("a history page fetched before an edit or deletion does not undo it", () => {
    store().setThreadPage("c1", { messages: [message("m1", 1)], calls: [], nextCursor: null }, false);
    store().putMessage(message("m1", 1, { body: "edited", editedAt: at(5) }), false);
    store().setThreadPage("c1", { messages: [message("m1", 1)], calls: [], nextCursor: null }, false);
    expect(store().threads.c1!.messages[0]!.body).toBe("edited");
    store().putMessage(message("m1", 1, { body: "", deletedAt: at(6) }), false);
    store().setThreadPage("c1", { messages: [message("m1", 1, { body: "edited", editedAt: at(5) })], calls: [], nextCursor: null }, false);
    expect(store().threads.c1!.messages[0]!.deletedAt).toEqual(at(6));
  });

  test("a refreshed first page keeps how far back the user scrolled", () => {
    store().setThreadPage("c1", { messages: [message("m2", 2)], calls: [], nextCursor: "cursor-1" }, false);
    store().setThreadPage("c1", { messages: [message("m1", 1)], calls: [], nextCursor: null }, true);
    store().setThreadPage("c1", { messages: [message("m2", 2)], calls: [], nextCursor: "cursor-1" }, false);
    expect(store().threads.c1!.nextCursor).toBeNull();
  });

  test("a message ends its sender's typing notice; removal drops the conversation and its history", () => {
    store().setThreadPage("c1", { messages: [], calls: [], nextCursor: null }, false);
    store().setTyping("c1", ann, Date.now() + 5000);
    store().putMessage(message("m1", 1), true);
    expect(store().typing.c1).toEqual({});
    store().setOpen("c1");
    store().removeConversation("c1");
    expect(store().conversations.c1).toBeUndefined();
    expect(store().threads.c1).toBeUndefined();
    expect(store().openId).toBeNull();
  });
});
