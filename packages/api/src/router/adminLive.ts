import { access, adminProcedure, createTRPCRouter } from "../trpc.ts";
import { dashboardHandler } from "./adminLive/dashboard.handler.ts";

/** The admin console's live feeds, served over WebSocket by the realtime server (the pages' lists are over HTTP). */
export const adminLiveRouter = createTRPCRouter({
  dashboard: adminProcedure.meta(access("admin")).subscription(dashboardHandler),
});
