// Solves one proof-of-work challenge off the page's thread (see ./solve.ts).
import { solveInBackground, type IssuedChallenge } from "@qualmeet/challenge/browser";

addEventListener("message", (event: MessageEvent<IssuedChallenge>) => {
  solveInBackground(event.data).then(
    (solved) => postMessage({ solved }),
    (error: unknown) => postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
