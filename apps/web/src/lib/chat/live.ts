// The live side of chat for one signed-in tab: the `chat.events` subscription (resumed from the last event id
// after a reconnect), the unsent-message queue, and the loading of lists and history into the conversation
// store. Components call these functions; they never talk to the sockets themselves.
import type { TRPCClient } from "@trpc/client";
import type { RealtimeRouter } from "@qualmeet/api";
import { errorMessage } from "@/lib/trpc";
import { getRealtimeClient, useRealtimeStatus } from "@/lib/realtime";
import { useChatStore, useConversationStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { chatHttp, isPermanentError } from "./api";
import { notifyCall, notifyMessage, stopRinging, startRinging } from "./alerts";
import { Outbox } from "./outbox";
import type { ChatEvent, ChatMessage, ChatUser } from "./types";

/** How long a "typing" event shows (the server sends them at most every few seconds). */
export const TYPING_SHOWN_MS = 5000;
const HISTORY_PAGE = 50;

interface Live {
  key: string;
  client: TRPCClient<RealtimeRouter>;
  outbox: Outbox;
  refs: number;
  stop(): void;
}

let live: Live | null = null;

const store = () => useConversationStore.getState();

/**
 * Starts (or shares) the chat connection of `me` on `realtimeUrl`; returns the function that releases it.
 * Mounted once globally for signed-in users and by the meeting chat panel (guests).
 */
export function startChatLive(realtimeUrl: string, me: ChatUser): () => void {
  const key = `${realtimeUrl}|${me.id}`;
  if (live && live.key !== key) {
    live.stop();
    live = null;
  }
  if (!live) live = connect(key, realtimeUrl, me);
  const current = live;
  current.refs++;
  return () => {
    current.refs--;
    // a short grace period: React remounts (navigation, strict mode) keep the same subscription
    setTimeout(() => {
      if (current.refs === 0 && live === current) {
        current.stop();
        live = null;
      }
    }, 1000);
  };
}

function connect(key: string, realtimeUrl: string, me: ChatUser): Live {
  const client = getRealtimeClient(realtimeUrl);
  store().setMe(me);
  const outbox = new Outbox({
    storage: typeof localStorage === "undefined" ? null : localStorage,
    storageKey: `qualmeet:chat:unsent:${me.id}`,
    send: (m) => client.chat.send.mutate({ conversationId: m.conversationId, clientId: m.clientId, body: m.body, ...(m.replyToId ? { replyToId: m.replyToId } : {}) }),
    isConnected: () => useRealtimeStatus.getState().status !== "closed",
    isPermanent: isPermanentError,
    describe: errorMessage,
    onChange: (unsent) => store().setUnsent(unsent),
    onSent: (message) => store().putMessage(message, true),
  });
  store().setUnsent(outbox.list());

  let lastEventId: string | undefined;
  let subscription: { unsubscribe(): void } | null = null;
  let resubscribeTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const subscribe = () => {
    subscription = client.chat.events.subscribe(lastEventId ? { lastEventId } : {}, {
      // a first stream starts now: what was sent between loading a conversation and this moment (someone speaking
      // as we join a meeting) is only in the history, so loaded conversations are read again
      onStarted: () => {
        if (!lastEventId) void reloadThreads();
      },
      onData: ({ id, data }) => {
        lastEventId = id;
        handleEvent(data as ChatEvent, me);
      },
      onError: () => {
        // the server ended the stream (e.g. it restarted with our event id expired): start again and
        // reload what the stream cannot replay
        subscription = null;
        if (stopped) return;
        resubscribeTimer = setTimeout(() => {
          subscribe();
          void refresh();
        }, 2000);
      },
    });
  };
  subscribe();

  // after the socket comes back: send what waits, and reload the list in case events were lost
  let wasOpen = useRealtimeStatus.getState().status === "open";
  const unwatch = useRealtimeStatus.subscribe(({ status }) => {
    if (status === "open" && !wasOpen) {
      outbox.flush();
      void refresh();
    }
    wasOpen = status === "open";
  });
  outbox.flush();

  return {
    key,
    client,
    outbox,
    refs: 0,
    stop: () => {
      stopped = true;
      subscription?.unsubscribe();
      if (resubscribeTimer) clearTimeout(resubscribeTimer);
      unwatch();
      outbox.close();
      stopRinging();
    },
  };
}

/** The realtime client of the running chat connection (for typing, receipts, edits, calls). */
export function chatClient(): TRPCClient<RealtimeRouter> {
  if (!live) throw new Error("Chat is not connected.");
  return live.client;
}

export function sendMessage(conversationId: string, body: string, replyTo: ChatMessage["replyTo"]): void {
  if (!live) throw new Error("Chat is not connected.");
  live.outbox.add({ conversationId, body, replyTo });
}

export const retryUnsent = (clientId: string) => live?.outbox.retry(clientId);
export const discardUnsent = (clientId: string) => live?.outbox.discard(clientId);

export async function loadConversations(): Promise<void> {
  store().setList(await chatHttp().chat.list.query());
}

/** Loads the newest page of a conversation (again: a refresh merges into what is loaded). */
export async function loadHistory(conversationId: string): Promise<void> {
  const page = await chatHttp().chat.history.query({ conversationId, limit: HISTORY_PAGE });
  store().setThreadPage(conversationId, page, false);
}

export async function loadOlder(conversationId: string): Promise<void> {
  const thread = store().threads[conversationId];
  if (!thread?.nextCursor || thread.loadingOlder) return;
  store().setLoadingOlder(conversationId, true);
  try {
    const page = await chatHttp().chat.history.query({ conversationId, cursor: thread.nextCursor, limit: HISTORY_PAGE });
    store().setThreadPage(conversationId, page, true);
  } catch (error) {
    store().setLoadingOlder(conversationId, false);
    throw error;
  }
}

async function refresh(): Promise<void> {
  try {
    await loadConversations();
    const openId = store().openId;
    if (openId && store().conversations[openId]) await loadHistory(openId);
  } catch {
    // the next reconnect or event tries again
  }
}

async function reloadThreads(): Promise<void> {
  try {
    await Promise.all(Object.keys(store().threads).map((id) => loadHistory(id)));
  } catch {
    // the next reconnect or event tries again
  }
}

async function ensureConversation(conversationId: string): Promise<void> {
  if (store().conversations[conversationId]) return;
  try {
    store().upsertConversation(await chatHttp().chat.get.query({ conversationId }));
  } catch {
    // not visible to us (yet): the next list refresh settles it
  }
}

const pageVisible = () => typeof document !== "undefined" && document.visibilityState === "visible";

function handleEvent(event: ChatEvent, me: ChatUser): void {
  const s = store();
  switch (event.type) {
    case "message.new": {
      const { message } = event;
      live?.outbox.delivered(message);
      const known = !!s.conversations[message.conversationId];
      s.putMessage(message, true);
      if (message.sender.id === me.id) break;
      if (!known) void ensureConversation(message.conversationId);
      const conversation = store().conversations[message.conversationId];
      // the meeting room's Chat button counts what arrives while its panel is closed
      if (conversation?.kind === "MEETING" && conversation.meetingCode === useMeetingStore.getState().meeting?.code) useChatStore.getState().noteMessage();
      // the open, visible conversation marks itself read; everything else counts and alerts
      const reading = s.openId === message.conversationId && pageVisible();
      if (!reading) {
        if (conversation) s.setUnread(message.conversationId, conversation.unread + 1);
        if (conversation?.kind !== "MEETING") notifyMessage(message, conversation?.title ?? message.sender.name, s.openId === message.conversationId);
      }
      break;
    }
    case "message.edited":
    case "message.deleted":
      s.putMessage(event.message, false);
      break;
    case "typing":
      if (event.user.id !== me.id) s.setTyping(event.conversationId, event.user, Date.now() + TYPING_SHOWN_MS);
      break;
    case "read":
      s.setSeen(event.conversationId, event.userId, event.messageId);
      break;
    case "unread":
      s.setUnread(event.conversationId, event.unread);
      break;
    case "conversation.updated":
      s.upsertConversation(event.conversation);
      break;
    case "conversation.removed":
      s.removeConversation(event.conversationId);
      break;
    case "presence":
      s.setPresence(event.userId, event.online, event.lastSeenAt);
      break;
    case "invitations.changed":
      s.invitationsChanged();
      break;
    case "call.ringing":
      if (event.call.from.id === me.id) break;
      s.setIncomingCall(event.call);
      startRinging();
      notifyCall(event.call);
      break;
    case "call.ended":
      if (s.incomingCall?.id === event.callId) {
        s.setIncomingCall(null);
        stopRinging();
      }
      if (s.outgoingCall?.id === event.callId) {
        const title = s.outgoingCall.conversationTitle;
        s.setOutgoingCall(null);
        const outcome = event.status === "DECLINED" ? `${title} declined the call.` : event.status === "MISSED" ? `No answer from ${title}.` : null;
        if (outcome) s.pushToast({ conversationId: event.conversationId, title: "Call ended", text: outcome });
      }
      // the call log entry changed: reload the conversation's newest page if it is loaded
      if (s.threads[event.conversationId]) void loadHistory(event.conversationId).catch(() => undefined);
      break;
  }
}
