// The browser's side of the proof-of-work challenge: finds the answer with Web Crypto, in small steps that leave the
// page responsive, and returns the string to send with the request. No server code is imported here.
import { deriveKey } from "altcha-lib/algorithms/web/sha";
import type { IssuedChallenge } from "./payload.ts";
import { solveWith } from "./solve.ts";

export type { IssuedChallenge } from "./payload.ts";

/** The solved challenge to send, or an Error when it cannot be solved in time (a page left open for too long). */
export const solveInBackground = (challenge: IssuedChallenge, signal?: AbortSignal): Promise<string> => solveWith(challenge, deriveKey, signal);
