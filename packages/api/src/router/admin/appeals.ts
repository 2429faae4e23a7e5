import { access, adminProcedure, createTRPCRouter } from "../../trpc.ts";
import { acceptAppealHandler, listAppealsHandler, rejectAppealHandler } from "./appeals.handler.ts";
import { decideAppealSchema, listAppealsSchema } from "./appeals.schema.ts";

/** admin.appeals: the appeals queue, accepting (the ban is lifted) or rejecting one, each with a note. */
export const adminAppealsRouter = createTRPCRouter({
  list: adminProcedure.meta(access("admin")).input(listAppealsSchema).query(listAppealsHandler),
  accept: adminProcedure.meta(access("admin")).input(decideAppealSchema).mutation(acceptAppealHandler),
  reject: adminProcedure.meta(access("admin")).input(decideAppealSchema).mutation(rejectAppealHandler),
});
