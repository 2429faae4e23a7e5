// tRPC errors as counters, from the adapters' onError (web app and realtime node). The procedure label is a path
// of the router's own, never the string a client sent (which may be anything), so its values stay bounded.
import type { AnyRouter, TRPCError } from "@trpc/server";
import { unavailableService } from "../errors.ts";
import { UNKNOWN_PROCEDURE, serviceMetrics } from "./serviceMetrics.ts";

export function countProcedureError(server: "web" | "realtime", router: AnyRouter, { error, path }: { error: TRPCError; path: string | undefined }): void {
  const metrics = serviceMetrics();
  const procedure = path !== undefined && Object.hasOwn(router._def.procedures, path) ? path : UNKNOWN_PROCEDURE;
  metrics.procedureErrors.inc({ server, procedure, code: error.code });
  const dependency = unavailableService(error);
  if (dependency) metrics.dependencyErrors.inc({ dependency });
}
