import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { banFromReportsHandler, dismissReportHandler, listReportsHandler, warnReportedHandler } from "./reports.handler.ts";
import { banFromReportsSchema, handleReportSchema, listReportsSchema } from "./reports.schema.ts";

/** admin.reports: the report queue and what a moderator does with a report (each action asks for a reason). */
export const adminReportsRouter = createTRPCRouter({
  list: adminProcedure.meta(access("admin")).input(listReportsSchema).query(listReportsHandler),
  dismiss: adminProcedure.meta(access("admin")).input(handleReportSchema).mutation(dismissReportHandler),
  warn: adminProcedure.meta(access("admin")).input(handleReportSchema).mutation(warnReportedHandler),
  ban: adminProcedure.meta(access("admin")).input(banFromReportsSchema).mutation(banFromReportsHandler),
});
