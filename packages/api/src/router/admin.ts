import { adminProcedure, createTRPCRouter, access } from "../trpc.ts";
import { auditRouter } from "./admin/audit.ts";
import { overviewHandler } from "./admin/overview.handler.ts";
import { adminMeetingsRouter } from "./admin/meetings.ts";
import { adminUsersRouter } from "./admin/users.ts";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.meta(access("admin")).query(overviewHandler),
  users: adminUsersRouter,
  meetings: adminMeetingsRouter,
  audit: auditRouter,
});
