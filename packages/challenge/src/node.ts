// A Node script's side of the proof-of-work challenge (tests and tools that register or sign in without a browser).
// Node's own SHA-256 answers each step at once, where Web Crypto's promise per hash makes the same work about 20
// times slower in Node: the server's check and the work it asks for are the same as for a browser.
import { deriveKey } from "altcha-lib/algorithms/sha";
import type { IssuedChallenge } from "./payload.ts";
import { solveWith } from "./solve.ts";

/** The solved challenge to send. */
export const solveInNode = (challenge: IssuedChallenge, signal?: AbortSignal): Promise<string> => solveWith(challenge, deriveKey, signal);
