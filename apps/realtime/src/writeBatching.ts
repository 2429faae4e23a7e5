// Writes that can leave together cost one syscall instead of one each: a client's WebSocket is corked until
// the event-loop turn ends (a burst of room events, a call's answer and its own echo), and so is the Redis
// connection (the commands of all the calls handled in that turn).
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
 * Makes `redis` send the commands issued in one event-loop turn in one write; ioredis writes each command at
 * once. A write to Redis costs far more than a write to a client (it wakes the Redis process), and under load
 * one turn handles the messages of many sockets: their commands (a chat line's append, a subscription's check)
 * leave together.
 */
export function batchRedisWrites(redis: Redis): void {
  const sendCommand = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command, stream) => {
    // only a connected client writes to its socket; the others queue the command
    if (redis.status === "ready" && redis.stream) corkForTurn(redis.stream as Socket);
    return sendCommand(command, stream);
  }) as Redis["sendCommand"];
}
