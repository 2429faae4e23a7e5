// Rate limits of the SFU signaling, per user (a guest is a user): generous for people (a join, a rebuild after a
// lost media server, ICE restarts, tiles paused and resumed while the grid scrolls), tight for a script calling in
// a loop. Each refusal names its limit.
import type { RateLimitRule } from "../../services/rateLimit.ts";
import { rateLimit } from "../../trpc.ts";

function mediaLimit(scope: string, capacity: number, what: string) {
  const rule: RateLimitRule = { scope: `media:${scope}`, capacity, windowMs: 60_000 };
  return rateLimit(rule, `${what} (at most ${capacity} a minute)`);
}

/** createTransport, connectTransport, restartIce, closeTransports: a join or a rebuild takes 4-5, a rebuild retried 8 times ~40. */
export const transportLimit = mediaLimit("transport", 120, "media connection changes");
/** produce and a producer's pause, resume and close: a person turning their microphone, camera or screen on and off. */
export const producerLimit = mediaLimit("producer", 120, "microphone, camera and screen changes");
/** consume: every microphone, camera and screen of the others, at a join and as they come. */
export const consumeLimit = mediaLimit("consume", 600, "requests to receive someone's audio or video");
/** resume, pause and preferred layers of a consumer: tiles scrolling in and out of view, resized. */
export const consumerLimit = mediaLimit("consumer", 1200, "video tile updates");
