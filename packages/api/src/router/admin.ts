import { adminProcedure, createTRPCRouter, access } from "../trpc.ts";
import { adminAppealsRouter } from "./admin/appeals.ts";
import { auditRouter } from "./admin/audit.ts";
import { adminBansRouter } from "./admin/bans.ts";
import { adminMeetingsRouter } from "./admin/meetings.ts";
import { overviewHandler } from "./admin/overview.handler.ts";
import { adminReportsRouter } from "./admin/reports.ts";
import { adminTokensRouter } from "./admin/tokens.ts";
import { adminUsersRouter } from "./admin/users.ts";
import { adminWebhooksRouter } from "./admin/webhooks.ts";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.meta(access("admin")).query(overviewHandler),
  users: adminUsersRouter,
  meetings: adminMeetingsRouter,
  audit: auditRouter,
  reports: adminReportsRouter,
  bans: adminBansRouter,
  appeals: adminAppealsRouter,
  tokens: adminTokensRouter,
  webhooks: adminWebhooksRouter,
});
