import { createTRPCRouter } from "../trpc.ts";
import { reportQueueFeed } from "./admin/reportQueue.ts";

/** The admin console's live feeds, served over WebSocket by the realtime server (the pages' lists are over HTTP). */
export const adminLiveRouter = createTRPCRouter({
  reportQueue: reportQueueFeed,
});
