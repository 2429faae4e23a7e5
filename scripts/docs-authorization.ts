// npm run docs:authorization: writes docs/authorization.md from the routers' access rules (the matrix test
// checks the servers do what it says; the unit test fails when the committed file is not this one).
import { writeFile } from "node:fs/promises";
import { guestCanBeMember } from "../packages/api/src/authorization/fixtures.ts";
import { renderAuthorizationDoc } from "../packages/api/src/authorization/procedures.ts";
import { AUTHORIZATION_DOC, loadProcedures } from "../packages/api/src/authorization/routers.ts";

await writeFile(AUTHORIZATION_DOC, renderAuthorizationDoc(await loadProcedures(), guestCanBeMember));
console.log(`wrote ${AUTHORIZATION_DOC}`);
process.exit(0);
