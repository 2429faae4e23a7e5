// Structured logs: one JSON line per event on stdout (pino). Each process binds who it is once (the realtime
// node's id, the web app's), and work on behalf of someone gets a child: `log.child({ socketId })` per
// realtime socket, `log.child({ requestId })` per web request, so every line says where it came from.
import { pino, type Logger } from "pino";

export type { Logger };

// Next's server bundle and the server around it are one process: they share one logger through globalThis.
const shared = globalThis as unknown as { qualmeetLogger?: Logger };

/** The process's logger. Entry points set its level (LOG_LEVEL) and bind their node id before making children. */
export const logger: Logger = (shared.qualmeetLogger ??= pino({
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
}));

/**
 * For a `.catch` on work whose failure leaves something behind that a later pass repairs (a heartbeat, a key
 * with a TTL, a sweep): the line says what was not done and what repairs it, instead of dropping the error.
 */
export const logFailure =
  (what: string, context: Record<string, unknown> = {}) =>
  (err: unknown): void => {
    logger.warn({ err, ...context }, what);
  };
