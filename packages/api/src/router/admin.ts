import { adminProcedure, createTRPCRouter, access } from "../trpc.ts";
import { auditRouter } from "./admin/audit.ts";
import { overviewHandler } from "./admin/overview.handler.ts";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.meta(access("admin")).query(overviewHandler),
  audit: auditRouter,
});
