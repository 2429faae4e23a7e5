// The meeting's text chat as it arrives from `chat` room events (nothing is stored in the browser).
import { create } from "zustand";

export interface ChatMessage {
  messageId: string;
  peerId: string;
  displayName: string;
  text: string;
  sentAt: string;
}

interface ChatState {
  messages: ChatMessage[];
  /** messages that arrived while the chat panel was closed */
  unread: number;
  open: boolean;
  add(message: ChatMessage): void;
  setOpen(open: boolean): void;
  reset(): void;
}

const MAX_MESSAGES = 500;

export const useChatStore = create<ChatState>()((set) => ({
  messages: [],
  unread: 0,
  open: true,
  add: (message) =>
    set((s) => {
      if (s.messages.some((m) => m.messageId === message.messageId)) return s;
      return { messages: [...s.messages, message].slice(-MAX_MESSAGES), unread: s.open ? 0 : s.unread + 1 };
    }),
  setOpen: (open) => set((s) => ({ open, unread: open ? 0 : s.unread })),
  reset: () => set({ messages: [], unread: 0 }),
}));
