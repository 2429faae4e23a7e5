// Example 4: the curl walk-through of the REST API (walkthrough.sh), run with bash as a developer would, then checked
// against the server: the meeting it says it made exists, was ended, and the token never appears in what it printed.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Example } from "../context.ts";

const run = promisify(execFile);
const SCRIPT = path.join(import.meta.dirname, "walkthrough.sh");

export const example: Example = {
  name: "4-curl-openapi",
  async verify(ctx) {
    const person = await ctx.newPerson("Curl Walker");
    const token = await person.token(["meetings:manage"]);
    const { stdout } = await run("bash", [SCRIPT], { env: { ...process.env, QUALMEET_URL: ctx.webUrl, QUALMEET_TOKEN: token }, timeout: 60_000 }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`walkthrough.sh failed: ${error.message}\n${error.stdout ?? ""}${error.stderr ?? ""}`);
      },
    );
    for (const line of stdout.split("\n").filter((l) => l.startsWith("ok "))) ctx.log(line);
    if (stdout.includes(token)) throw new Error("walkthrough.sh printed the API token");
    const expect = (pattern: RegExp, what: string) => {
      const match = pattern.exec(stdout);
      if (!match) throw new Error(`walkthrough.sh did not ${what}:\n${stdout}`);
      return match;
    };
    const operations = Number(expect(/^ok document: OpenAPI 3\.\d+\.\d+, (\d+) operations$/m, "read the OpenAPI document")[1]);
    if (operations < 10) throw new Error(`the OpenAPI document has ${operations} operations`);
    expect(new RegExp(`^ok me: Curl Walker \\(${person.id}\\)$`, "m"), `find the token's owner (${person.id}) with GET /me`);
    const code = expect(/^ok created meeting ([a-z0-9]{8}): Curl walkthrough$/m, "create a meeting")[1]!;
    expect(new RegExp(`^ok read back ${code}: status \\w+`, "m"), "read the meeting back");
    expect(new RegExp(`^ok listed: ${code} `, "m"), "list the meeting");
    expect(/^ok bad input refused: 400 BAD_REQUEST: maxParticipants: .+$/m, "show a bad input refused with 400 and the field");
    expect(new RegExp(`^ok ended ${code}: status ENDED$`, "m"), "end the meeting");
    expect(/^walkthrough done$/m, "finish");

    // the server agrees: the meeting is the person's and has ended
    const res = await fetch(`${ctx.webUrl}/api/v1/meetings/${code}`, { headers: { authorization: `Bearer ${token}` } });
    const meeting = (await res.json()) as { status?: string; host?: { id: string } };
    if (res.status !== 200 || meeting.status !== "ENDED" || meeting.host?.id !== person.id)
      throw new Error(`GET /api/v1/meetings/${code} answered ${res.status} ${JSON.stringify(meeting)}`);
    return `${operations} operations in the document; meeting ${code} created, read, listed and ended with curl; bad input refused with 400`;
  },
};
