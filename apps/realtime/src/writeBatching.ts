// Writes of one event-loop turn leave together: a socket written to is corked until the turn ends, so
// several WebSocket frames to one client (a burst of room events, a call's answer and its own echo), or
// several Redis commands (the calls and events handled in this turn), cost one syscall instead of one each.
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

/** Makes `redis` send the commands issued in one turn in one write (ioredis writes each command at once). */
export function batchRedisWrites(redis: Redis): void {
  const sendCommand = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command, stream) => {
    // only a connected client writes to its socket; the others queue the command
    if (redis.status === "ready" && redis.stream) corkForTurn(redis.stream as Socket);
    return sendCommand(command, stream);
  }) as Redis["sendCommand"];
}
