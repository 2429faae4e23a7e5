import { adminProcedure, createTRPCRouter, access } from "../trpc.ts";
import { adminAppealsRouter } from "./admin/appeals.ts";
import { adminBansRouter } from "./admin/bans.ts";
import { overviewHandler } from "./admin/overview.handler.ts";
import { adminReportsRouter } from "./admin/reports.ts";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.meta(access("admin")).query(overviewHandler),
  reports: adminReportsRouter,
  bans: adminBansRouter,
  appeals: adminAppealsRouter,
});
