// A person's random chat events, as published on `match:user:{userId}` (by the matching scripts and by relays) and
// as `random.events` delivers them (a match gains the ICE servers issued to its subscriber).
import type { IceServersGrant } from "../services/turnCredentials.ts";
import type { WidenStage } from "./preferences.ts";

/** The fixed reactions a person can send in a call. */
export const REACTIONS = ["👍", "👋", "😂", "❤️", "😮", "👏"] as const;
export type Reaction = (typeof REACTIONS)[number];

/** An offer, an answer or an ICE candidate for the partner's RTCPeerConnection (router/room's signal shape). */
export interface PeerSignal {
  description?: { type: "offer" | "answer" | "pranswer" | "rollback"; sdp?: string };
  candidate?: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null } | null;
}

export type RandomEvent =
  /** not started, or stopped */
  | { type: "idle" }
  /** in the queue since `since` (epoch ms) */
  | { type: "searching"; since: number; stage: WidenStage }
  /** the search now also takes people outside the person's preferences (1: any interests, 2: any region and language) */
  | { type: "widened"; stage: 1 | 2 }
  /** `shared`: the interests both named, comma-separated; `youOffer`: this side sends the WebRTC offer */
  /** `tc`: the trace of the search that made the match (W3C traceparent), when it was traced; never sent to pages */
  | { type: "matched"; matchId: string; partnerName: string; shared: string; youOffer: boolean; textOnly: boolean; tc?: string }
  | { type: "partnerLeft"; matchId: string }
  /** the person is out of random chat: they stopped (maybe in another tab), their socket closed, moderation removed them */
  | { type: "ended"; reason: "stopped" | "disconnected" | "removed" | "refused" }
  | { type: "signal"; matchId: string; signal: PeerSignal }
  | { type: "message"; matchId: string; text: string; at: number }
  | { type: "reaction"; matchId: string; emoji: Reaction };

/** What the page gets: a match with its shared interests as a list and the ICE servers for the call. */
export type RandomClientEvent =
  | Exclude<RandomEvent, { type: "matched" }>
  | ({ type: "matched"; matchId: string; partnerName: string; sharedInterests: string[]; youOffer: boolean; textOnly: boolean } & IceServersGrant);

/** Events of one match only: dropped once the subscriber is in another (one on its way when the match ended). */
export const matchBound = (event: RandomEvent): event is Extract<RandomEvent, { type: "signal" | "message" | "reaction" }> =>
  event.type === "signal" || event.type === "message" || event.type === "reaction";
