// adminLive.reportQueue: every change of the report queue (a report filed, reports handled by any moderator) as it
// happens, so an open queue page reloads its rows without the moderator reloading the page.
import { REPORT_QUEUE_CHANNEL } from "../../moderation/keys.ts";
import type { ReportQueueEvent } from "../../moderation/queueFeed.ts";
import { realtimeServices, type Context } from "../../trpc.ts";
import { whileAdmin } from "./whileAdmin.ts";

export const reportQueueHandler = ({ ctx, signal }: { ctx: Context; signal: AbortSignal | undefined }): AsyncGenerator<ReportQueueEvent> =>
  whileAdmin(ctx, queueEvents(ctx, signal));

async function* queueEvents(ctx: Context, signal: AbortSignal | undefined): AsyncGenerator<ReportQueueEvent> {
  const { bus } = realtimeServices(ctx);
  const pending: ReportQueueEvent[] = [];
  let wake: (() => void) | null = null;
  const off = await bus.on(REPORT_QUEUE_CHANNEL, (event) => {
    pending.push(event as ReportQueueEvent);
    wake?.();
  });
  const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
  try {
    while (!signal?.aborted) {
      const event = pending.shift();
      if (event) {
        yield event;
        continue;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = null;
    }
  } finally {
    off();
  }
}
