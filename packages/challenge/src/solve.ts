// Finding the answer to an issued challenge, with the SHA-256 of the place it runs in (./browser.ts, ./node.ts).
import { solveChallenge, type DeriveKeyFunction } from "altcha-lib";
import { encodeSolved, issuedChallenge, type IssuedChallenge } from "./payload.ts";

/** The solved challenge to send, or an Error when it cannot be solved in time (a page left open for too long). */
export async function solveWith(challenge: IssuedChallenge, deriveKey: DeriveKeyFunction, signal?: AbortSignal): Promise<string> {
  const checked = issuedChallenge.parse(challenge);
  const controller = new AbortController();
  signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const solution = await solveChallenge({ challenge: checked, deriveKey, controller, timeout: 120_000 });
  if (!solution) throw new Error("The check of this browser did not finish. Please try again.");
  return encodeSolved({ challenge: checked, solution: { counter: solution.counter, derivedKey: solution.derivedKey } });
}
