import { adminProcedure, createTRPCRouter } from "../trpc.ts";
import { overviewHandler } from "./admin/overview.handler.ts";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.query(overviewHandler),
});
