// `random.events`: where the person stands (first), then everything that happens to them in random chat. Not
// resumable: a page that reconnects starts again from where the person stands then.
import { matchBound, type RandomClientEvent, type RandomEvent } from "../../random/events.ts";
import { randomKeys } from "../../random/keys.ts";
import { splitInterests } from "../../random/preferences.ts";
import { issueIceServers } from "../../services/turnCredentials.ts";
import { recordDelivery } from "../../tracing/traceContext.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";

export async function* randomEventsHandler({ ctx, signal }: { ctx: Context & { user: SessionUser }; signal: AbortSignal | undefined }): AsyncGenerator<RandomClientEvent> {
  const { bus, random } = realtimeServices(ctx);
  const userId = ctx.user.id;
  const pending: RandomEvent[] = [];
  let wake: (() => void) | null = null;
  // subscribed before reading where the person stands: nothing that happens in between is missed
  const off = await bus.on(randomKeys.channel(userId), (event) => {
    pending.push(event as RandomEvent);
    wake?.();
  });
  const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
  /** the match the person is in: relayed events of any other are late ones of a match that ended */
  let currentMatch: string | null = null;
  const deliver = async (event: RandomEvent): Promise<RandomClientEvent | null> => {
    if (matchBound(event)) return event.matchId === currentMatch ? event : null;
    if (event.type !== "matched") {
      if (event.type !== "widened") currentMatch = null;
      return event;
    }
    currentMatch = event.matchId;
    const { shared, tc, ...match } = event;
    recordDelivery("random.matched deliver", tc ?? "", { "random.match_id": event.matchId, "random.you_offer": event.youOffer });
    // a call's TURN credentials go to the two people in it (issue 11); a text-only match has no call
    const ice = event.textOnly ? { iceServers: [], expiresInS: 0, relayNotice: null } : await issueIceServers(ctx.redis, userId);
    return { ...match, sharedInterests: splitInterests(shared), ...ice };
  };
  try {
    const first = await deliver(await random.snapshot(userId));
    if (first) yield first;
    while (!signal?.aborted) {
      const event = pending.shift();
      if (!event) {
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = null;
        continue;
      }
      // a failure here (Redis down while issuing ICE servers) ends the subscription: the page subscribes again and
      // starts from where the person stands, so no match is lost
      const delivered = await deliver(event);
      if (delivered) yield delivered;
    }
  } finally {
    off();
  }
}
