// The REST face of the web router: its OpenAPI document and the handler of /api/v1.
import { appRouter } from "../root.ts";
import { openApiJson } from "./document.ts";

export { createRestHandler, type RestFailure } from "./restHandler.ts";
export { REST_BASE_PATH } from "./restRoutes.ts";

let documentText: string | null = null;

/** The web router's OpenAPI document as docs/openapi.json holds it (built once: it changes only with the code). */
export function openApiDocumentText(): string {
  documentText ??= openApiJson(appRouter);
  return documentText;
}
