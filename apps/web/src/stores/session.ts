// Who this tab is: the signed-in user (or guest) and the realtime server to talk to. Set by the meeting page
// from what the server component knows; read by components that need the user's name or the socket URL.
import { create } from "zustand";

export interface SessionUser {
  id: string;
  name: string;
  isGuest: boolean;
}

interface SessionState {
  user: SessionUser | null;
  realtimeUrl: string | null;
  setSession(user: SessionUser | null, realtimeUrl: string): void;
}

export const useSessionStore = create<SessionState>()((set) => ({
  user: null,
  realtimeUrl: null,
  setSession: (user, realtimeUrl) => set({ user, realtimeUrl }),
}));
