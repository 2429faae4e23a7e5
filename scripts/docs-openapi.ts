// npm run docs:openapi: writes docs/openapi.json, the OpenAPI document of the REST routes (/api/v1), from the web
// router; the unit test document.test.ts fails when the committed file is not this one.
import { writeFile } from "node:fs/promises";
import { loadRouters } from "../packages/api/src/authorization/routers.ts";
import { openApiDocPath, openApiJson } from "../packages/api/src/openapi/document.ts";

const { web } = await loadRouters();
const text = openApiJson(web);
await writeFile(openApiDocPath(), text);
console.log(`wrote ${openApiDocPath()} (${Object.keys((JSON.parse(text) as { paths: object }).paths).length} paths)`);
process.exit(0);
