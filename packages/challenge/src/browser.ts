// The browser's side of the proof-of-work challenge: finds the answer with Web Crypto, in small steps that leave the
// page responsive, and returns the string to send with the request. No server code is imported here.
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/web/sha";
import { encodeSolved, issuedChallenge, type IssuedChallenge } from "./payload.ts";

export type { IssuedChallenge } from "./payload.ts";

/** The solved challenge to send, or an Error when it cannot be solved in time (a page left open for too long). */
export async function solveInBackground(challenge: IssuedChallenge, signal?: AbortSignal): Promise<string> {
  const checked = issuedChallenge.parse(challenge);
  const controller = new AbortController();
  signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const solution = await solveChallenge({ challenge: checked, deriveKey, controller, timeout: 120_000 });
  if (!solution) throw new Error("The check of this browser did not finish. Please try again.");
  return encodeSolved({ challenge: checked, solution: { counter: solution.counter, derivedKey: solution.derivedKey } });
}
