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
