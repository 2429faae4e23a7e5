import { access, adminProcedure, createTRPCRouter } from "../trpc.ts";
import { dashboardHandler } from "./adminLive/dashboard.handler.ts";
import { reportQueueHandler } from "./adminLive/reportQueue.handler.ts";

/** The admin console's live feeds, served over WebSocket by the realtime server (the pages' lists are over HTTP). */
export const adminLiveRouter = createTRPCRouter({
  dashboard: adminProcedure.meta(access("admin")).subscription(dashboardHandler),
  // a report filed or handled by any moderator, so an open queue follows without a reload
  reportQueue: adminProcedure.meta(access("admin")).subscription(reportQueueHandler),
});
