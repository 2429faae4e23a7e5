// Where the person stands in random chat, as the page shows it. Written by the session (session.ts) from the server's
// events and the answers to presses; read by the components.
import { create } from "zustand";
import type { BanNotice, ModerationNotice, Reaction } from "./types";

export type RandomPhase = "idle" | "searching" | "connecting" | "connected" | "partnerLeft";

export interface CurrentMatch {
  matchId: string;
  partnerName: string;
  sharedInterests: string[];
  textOnly: boolean;
}

export interface ChatLine {
  id: number;
  from: "me" | "partner";
  text: string;
}

export interface ShownReaction {
  id: number;
  from: "me" | "partner";
  emoji: Reaction;
}

interface RandomState {
  phase: RandomPhase;
  /** epoch ms the current search began (the server's word) */
  searchingSince: number | null;
  /** what the search widened to, while searching */
  widened: string | null;
  match: CurrentMatch | null;
  /** the match a report or block names: the current one, or the one that just ended */
  reportable: { matchId: string; partnerName: string } | null;
  remoteStream: MediaStream | null;
  lines: ChatLine[];
  reactions: ShownReaction[];
  notice: { text: string; tone: "info" | "error" } | null;
  ban: BanNotice | null;
  /** what moderation tells the person (a warning, an accepted appeal) until they acknowledge it */
  moderationNotices: ModerationNotice[];
  /** epoch ms the proof-of-work began, while the page solves it */
  solvingSince: number | null;
  /** a Start, Next or Stop is on its way */
  pressing: boolean;
  set(patch: Partial<Omit<RandomState, "set" | "addLine" | "addReaction" | "reset">>): void;
  addLine(from: ChatLine["from"], text: string): void;
  addReaction(from: ShownReaction["from"], emoji: Reaction): void;
  reset(): void;
}

let seq = 0;
/** reactions float for a few seconds; the last ones are kept */
const SHOWN_REACTIONS = 6;

const initial = {
  phase: "idle" as RandomPhase,
  searchingSince: null,
  widened: null,
  match: null,
  reportable: null,
  remoteStream: null,
  lines: [],
  reactions: [],
  notice: null,
  ban: null,
  moderationNotices: [],
  solvingSince: null,
  pressing: false,
};

export const useRandomStore = create<RandomState>()((set) => ({
  ...initial,
  set: (patch) => set(patch),
  addLine: (from, text) => set((s) => ({ lines: [...s.lines, { id: ++seq, from, text }].slice(-200) })),
  addReaction: (from, emoji) => set((s) => ({ reactions: [...s.reactions, { id: ++seq, from, emoji }].slice(-SHOWN_REACTIONS) })),
  reset: () => set(initial),
}));
