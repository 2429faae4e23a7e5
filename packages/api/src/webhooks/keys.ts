// Every Redis key of the webhooks domain, in one place.
//   webhook:events    stream (capped): events as they happen (emitter.ts); the group `webhook-fanout` turns each one
//                     into deliveries for the endpoints that want it (fanout.ts)
//   webhook:queue     sorted set deliveryId -> due time (ms): what to send when. A worker leases a due delivery by
//                     moving its score past the lease (queue.ts, one Lua script), so several nodes never send one
//                     delivery at once, and a node that dies mid-send leaves it due again when the lease runs out
export const webhookKeys = {
  events: "webhook:events",
  queue: "webhook:queue",
} as const;

export const FANOUT_GROUP = "webhook-fanout";
/** the events stream keeps about this many entries (a backlog far beyond any outage the fan-out catches up on) */
export const EVENTS_MAXLEN = 100_000;
