import { access, adminProcedure, createTRPCRouter, rateLimit } from "../../trpc.ts";
import { actionsHandler, listHandler, verifyHandler } from "./audit.handler.ts";
import { auditListSchema } from "./audit.schema.ts";

// a verification reads every row of the log: a few a minute per admin, so pressing Verify in a loop cannot load the database
const verifications = rateLimit({ scope: "admin:auditVerify", capacity: 5, windowMs: 60_000 }, "audit log verifications");

/** admin.audit.*: the audit log page (/admin/audit); its CSV export is packages/api/src/admin/auditExport.ts. */
export const auditRouter = createTRPCRouter({
  list: adminProcedure.meta(access("admin")).input(auditListSchema).query(listHandler),
  actions: adminProcedure.meta(access("admin")).query(actionsHandler),
  verify: adminProcedure.meta(access("admin")).meta(verifications).mutation(verifyHandler),
});
