// Both routers' procedures, for the matrix, the fuzzing and the generated docs/authorization.md.
import path from "node:path";
import type { AnyRouter } from "@trpc/server";
import { listProcedures, type ProcedureEntry, type Server } from "./procedures.ts";

/** docs/authorization.md, from the repository root */
export const AUTHORIZATION_DOC = path.resolve(import.meta.dirname, "../../../../docs/authorization.md");

/**
 * The procedures of the web app's router and the realtime server's router. Their modules read the configuration as
 * they load (rate-limit sizes) and connect to nothing: outside a server (the docs script, unit tests) placeholders
 * stand in for the three variables a server requires.
 */
export async function loadRouters(): Promise<Record<Server, AnyRouter>> {
  process.env.DATABASE_URL ??= "postgresql://unused@localhost:5432/unused";
  process.env.REDIS_URL ??= "redis://localhost:6379";
  process.env.NEXTAUTH_SECRET ??= "placeholder-secret-only-to-read-the-routers";
  const [{ appRouter }, { realtimeRouter }] = await Promise.all([import("../root.ts"), import("../realtimeRoot.ts")]);
  return { web: appRouter, realtime: realtimeRouter };
}

export async function loadProcedures(): Promise<ProcedureEntry[]> {
  return listProcedures(await loadRouters());
}
