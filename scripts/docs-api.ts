// npm run docs:api: writes docs/api.md from the routers (every procedure: transport, kind, who may call it, rate
// limits, input and output); the unit test apiDocs.test.ts fails when the committed file is not this one.
import { writeFile } from "node:fs/promises";
import { env } from "@qualmeet/config";
import { API_DOC, loadApiProcedures } from "../packages/api/src/apiDocs/apiProcedures.ts";
import { renderApiDoc } from "../packages/api/src/apiDocs/render.ts";

const procedures = await loadApiProcedures();
await writeFile(API_DOC, renderApiDoc(procedures, env));
console.log(`wrote ${API_DOC} (${procedures.length} procedures)`);
process.exit(0);
