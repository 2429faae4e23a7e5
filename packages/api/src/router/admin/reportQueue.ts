import { access, adminProcedure } from "../../trpc.ts";
import { reportQueueHandler } from "./reportQueue.handler.ts";

/** adminLive.reportQueue: the report queue's changes, live (served by the realtime server). */
export const reportQueueFeed = adminProcedure.meta(access("admin")).subscription(reportQueueHandler);
