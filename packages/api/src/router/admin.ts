import { adminProcedure, createTRPCRouter, access } from "../trpc.ts";
import { overviewHandler } from "./admin/overview.handler.ts";

export const adminRouter = createTRPCRouter({
  overview: adminProcedure.meta(access("admin")).query(overviewHandler),
});
