// The browser's answer to a proof-of-work challenge (sign-in after failures, registration): found in a Web Worker so
// the page stays responsive while it works; on the page itself where a worker cannot start (an old browser).
import { solveInBackground, type IssuedChallenge } from "@qualmeet/challenge/browser";

type WorkerAnswer = { solved: string } | { error: string };

function solveInWorker(challenge: IssuedChallenge): Promise<string> {
  const worker = new Worker(new URL("./solver.worker.ts", import.meta.url), { type: "module" });
  return new Promise<string>((resolve, reject) => {
    worker.addEventListener("message", (event: MessageEvent<WorkerAnswer>) => {
      if ("solved" in event.data) resolve(event.data.solved);
      else reject(new Error(event.data.error));
    });
    worker.addEventListener("error", (event) => reject(new Error(event.message || "the worker did not start")));
    worker.postMessage(challenge);
  }).finally(() => worker.terminate());
}

/** The solved challenge to send with the request. */
export async function solveChallenge(challenge: IssuedChallenge): Promise<string> {
  try {
    return await solveInWorker(challenge);
  } catch (error) {
    console.warn("challenge: solving on the page, the worker failed:", error);
    return solveInBackground(challenge);
  }
}
