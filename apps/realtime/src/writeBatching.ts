// Writes that can leave together cost one syscall instead of one each: a client's WebSocket is corked until
// the event-loop turn ends (a burst of room events, a call's answer and its own echo), the Redis connection
// until the current task is done (the commands of the calls continued by one Redis reply or one socket read).
import type { Socket } from "node:net";
import type { Redis } from "ioredis";

const corked = new Set<Socket>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** Holds `socket`'s writes until the end of this event-loop turn (the check phase). */
export function corkForTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

/**
 * Makes `redis` send the commands issued in one task (a callback and its promise continuations) in one write;
 * ioredis writes each command at once. Not as late as the end of the turn: a call waits for several Redis
 * round trips in a row, and each would wait for the rest of the turn.
 */
export function batchRedisWrites(redis: Redis): void {
  const sendCommand = redis.sendCommand.bind(redis);
  let corkedStream: Socket | null = null;
  const uncork = () => {
    corkedStream?.uncork();
    corkedStream = null;
  };
  redis.sendCommand = ((command, stream) => {
    // only a connected client writes to its socket; the others queue the command
    if (corkedStream === null && redis.status === "ready" && redis.stream) {
      corkedStream = redis.stream as Socket;
      corkedStream.cork();
      process.nextTick(uncork);
    }
    return sendCommand(command, stream);
  }) as Redis["sendCommand"];
}
