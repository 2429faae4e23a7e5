// npm run docs:openapi: writes docs/openapi.json, the OpenAPI document of the REST routes (/api/v1), from the web
// router; the unit test document.test.ts fails when the committed file is not this one.
import { writeFile } from "node:fs/promises";
import { loadRouters } from "../packages/api/src/authorization/routers.ts";
import { OPENAPI_DOC, openApiJson } from "../packages/api/src/openapi/document.ts";

const { web } = await loadRouters();
const text = openApiJson(web);
await writeFile(OPENAPI_DOC, text);
console.log(`wrote ${OPENAPI_DOC} (${Object.keys((JSON.parse(text) as { paths: object }).paths).length} paths)`);
process.exit(0);
