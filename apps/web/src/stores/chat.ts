// Chat state: the meeting room's chat panel (open, unread; its messages are the meeting's conversation) and
// the user's conversations (useConversationStore).
import { create } from "zustand";
import type { UnsentMessage } from "@/lib/chat/outbox";
import type { CallEntry, CallInfo, ChatMessage, ChatUser, ConversationSummary } from "@/lib/chat/types";

interface ChatState {
  /** messages that arrived while the chat panel was closed */
  unread: number;
  open: boolean;
  /** a message of the meeting's conversation arrived (counted while the panel is closed) */
  noteMessage(): void;
  setOpen(open: boolean): void;
  reset(): void;
}

export const useChatStore = create<ChatState>()((set) => ({
  unread: 0,
  open: true,
  noteMessage: () => set((s) => (s.open ? s : { unread: s.unread + 1 })),
  setOpen: (open) => set((s) => ({ open, unread: open ? 0 : s.unread })),
  reset: () => set({ unread: 0 }),
}));

// ---- conversations (/chat, calls, toasts) --------------------------------------------------------------------
// What this tab knows of the user's conversations: the list from chat.list, each open conversation's loaded
// history, and what the chat.events subscription (lib/chat/live.ts) delivers. Components read it; only
// lib/chat writes it.

export interface Thread {
  /** oldest first */
  messages: ChatMessage[];
  calls: CallEntry[];
  /** cursor of the next older page; null once the beginning is loaded */
  nextCursor: string | null;
  loadingOlder: boolean;
}

export interface Toast {
  id: number;
  conversationId: string;
  title: string;
  text: string;
}

interface ConversationState {
  me: ChatUser | null;
  conversations: Record<string, ConversationSummary>;
  listLoaded: boolean;
  threads: Record<string, Thread>;
  /** conversationId -> userId -> who is typing, until when (ms) */
  typing: Record<string, Record<string, { name: string; until: number }>>;
  /** conversationId -> userId -> the last message that member has read */
  seen: Record<string, Record<string, string>>;
  presence: Record<string, { online: boolean; lastSeenAt: Date | null }>;
  unsent: UnsentMessage[];
  incomingCall: CallInfo | null;
  /** a call this user started that is still ringing */
  outgoingCall: CallInfo | null;
  toasts: Toast[];
  /** the conversation open on screen (no toast for it) */
  openId: string | null;
  /** bumped when the live events say the user's invitations changed: the list is read again */
  invitationsVersion: number;

  setMe(me: ChatUser | null): void;
  setList(list: ConversationSummary[]): void;
  upsertConversation(conversation: ConversationSummary): void;
  removeConversation(conversationId: string): void;
  setOpen(conversationId: string | null): void;
  setThreadPage(conversationId: string, page: { messages: ChatMessage[]; calls: CallEntry[]; nextCursor: string | null }, older: boolean): void;
  setLoadingOlder(conversationId: string, loading: boolean): void;
  /** a new, edited or deleted message: into its thread and the list's preview */
  putMessage(message: ChatMessage, isNew: boolean): void;
  setUnread(conversationId: string, unread: number): void;
  setTyping(conversationId: string, user: ChatUser, until: number): void;
  setSeen(conversationId: string, userId: string, messageId: string): void;
  setPresence(userId: string, online: boolean, lastSeenAt: Date | null): void;
  setUnsent(unsent: UnsentMessage[]): void;
  setIncomingCall(call: CallInfo | null): void;
  setOutgoingCall(call: CallInfo | null): void;
  pushToast(toast: Omit<Toast, "id">): void;
  dismissToast(id: number): void;
  invitationsChanged(): void;
}

let toastId = 0;
const MAX_TOASTS = 3;

const byTime = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Merges messages by id (a later copy wins: edits and deletions), oldest first. */
function mergeMessages(existing: ChatMessage[], incoming: ChatMessage[]): ChatMessage[] {
  const map = new Map(existing.map((m) => [m.id, m]));
  for (const m of incoming) {
    const old = map.get(m.id);
    // never let an older copy (a history page fetched before an edit) undo an edit or deletion
    if (old && (old.deletedAt || (old.editedAt && (!m.editedAt || m.editedAt < old.editedAt))) && !m.deletedAt) continue;
    map.set(m.id, m);
  }
  return [...map.values()].sort(byTime);
}

function mergeCalls(existing: CallEntry[], incoming: CallEntry[]): CallEntry[] {
  const map = new Map(existing.map((c) => [c.id, c]));
  for (const c of incoming) map.set(c.id, c);
  return [...map.values()].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

export const useConversationStore = create<ConversationState>()((set) => ({
  me: null,
  conversations: {},
  listLoaded: false,
  threads: {},
  typing: {},
  seen: {},
  presence: {},
  unsent: [],
  incomingCall: null,
  outgoingCall: null,
  toasts: [],
  openId: null,
  invitationsVersion: 0,

  setMe: (me) => set({ me }),
  setList: (list) => set({ conversations: Object.fromEntries(list.map((c) => [c.id, c])), listLoaded: true }),
  upsertConversation: (conversation) => set((s) => ({ conversations: { ...s.conversations, [conversation.id]: conversation } })),
  removeConversation: (conversationId) =>
    set((s) => {
      const { [conversationId]: _gone, ...conversations } = s.conversations;
      const { [conversationId]: _thread, ...threads } = s.threads;
      return { conversations, threads, openId: s.openId === conversationId ? null : s.openId };
    }),
  setOpen: (openId) => set({ openId }),
  setThreadPage: (conversationId, page, older) =>
    set((s) => {
      const thread = s.threads[conversationId];
      return {
        threads: {
          ...s.threads,
          [conversationId]: {
            messages: mergeMessages(thread?.messages ?? [], page.messages),
            calls: mergeCalls(thread?.calls ?? [], page.calls),
            // a refreshed first page does not reset how far back the user already scrolled
            nextCursor: older || !thread ? page.nextCursor : thread.nextCursor,
            loadingOlder: false,
          },
        },
      };
    }),
  setLoadingOlder: (conversationId, loading) =>
    set((s) => {
      const thread = s.threads[conversationId];
      return thread ? { threads: { ...s.threads, [conversationId]: { ...thread, loadingOlder: loading } } } : s;
    }),
  putMessage: (message, isNew) =>
    set((s) => {
      const thread = s.threads[message.conversationId];
      const threads = thread ? { ...s.threads, [message.conversationId]: { ...thread, messages: mergeMessages(thread.messages, [message]) } } : s.threads;
      const conversation = s.conversations[message.conversationId];
      let conversations = s.conversations;
      if (conversation) {
        const isLatest = !conversation.lastMessage || conversation.lastMessage.id === message.id || (isNew && byTime(conversation.lastMessage, message) <= 0);
        if (isLatest) {
          conversations = {
            ...s.conversations,
            [message.conversationId]: { ...conversation, lastMessage: message, lastMessageAt: isNew ? message.createdAt : conversation.lastMessageAt },
          };
        }
      }
      // whoever sent a message has stopped typing
      const typingHere = s.typing[message.conversationId];
      const typing = typingHere?.[message.sender.id] ? { ...s.typing, [message.conversationId]: omit(typingHere, message.sender.id) } : s.typing;
      return { threads, conversations, typing };
    }),
  setUnread: (conversationId, unread) =>
    set((s) => {
      const conversation = s.conversations[conversationId];
      return conversation ? { conversations: { ...s.conversations, [conversationId]: { ...conversation, unread } } } : s;
    }),
  setTyping: (conversationId, user, until) => set((s) => ({ typing: { ...s.typing, [conversationId]: { ...s.typing[conversationId], [user.id]: { name: user.name, until } } } })),
  setSeen: (conversationId, userId, messageId) => set((s) => ({ seen: { ...s.seen, [conversationId]: { ...s.seen[conversationId], [userId]: messageId } } })),
  setPresence: (userId, online, lastSeenAt) => set((s) => ({ presence: { ...s.presence, [userId]: { online, lastSeenAt } } })),
  setUnsent: (unsent) => set({ unsent }),
  setIncomingCall: (incomingCall) => set({ incomingCall }),
  setOutgoingCall: (outgoingCall) => set({ outgoingCall }),
  pushToast: (toast) => set((s) => ({ toasts: [...s.toasts, { ...toast, id: ++toastId }].slice(-MAX_TOASTS) })),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  invitationsChanged: () => set((s) => ({ invitationsVersion: s.invitationsVersion + 1 })),
}));

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _omitted, ...rest } = record;
  return rest;
}
