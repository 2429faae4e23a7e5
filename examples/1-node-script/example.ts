// Example 1 checked as a developer would run it: a token with the four scopes, the script as a child process, and a
// second person who joins the meeting and writes in its chat. The script must print the meeting it created, the message it posted and both things the second person did,
// then end by itself (QUALMEET_MAX_EVENTS=2).
import { spawn } from "node:child_process";
import { createRealtimeConnection } from "@qualmeet/client/node";
import type { Example, ExampleContext } from "../context.ts";

const here = import.meta.dirname;
const RUN_TIMEOUT_MS = 90_000;

interface Line {
  type: string;
  [key: string]: unknown;
}

/** Runs meeting-bot.ts; `onLine` sees each JSON line as it is printed. Resolves with its exit code and output. */
function runBot(env: Record<string, string>, onLine: (line: Line) => void): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "meeting-bot.ts"], { cwd: here, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const lines: Line[] = [];
    let pending = "";
    let stderr = "";
    const killer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      pending += chunk;
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const text = pending.slice(0, end);
        pending = pending.slice(end + 1);
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          reject(new Error(`meeting-bot.ts printed a line that is not JSON: ${text}`));
          return;
        }
        lines.push(line);
        onLine(line);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, lines, stderr });
    });
  });
}

/** The second person: joins the meeting over the realtime socket with their session, then writes in its chat. */
async function secondPersonActs(context: ExampleContext, cookie: string, meeting: { id: string; code: string }): Promise<void> {
  const connection = createRealtimeConnection({ url: context.realtimeUrl, cookie, origin: context.webUrl });
  try {
    await connection.client.room.join.mutate({ code: meeting.code });
    const conversation = await connection.client.chat.meetingConversation.mutate({ meetingId: meeting.id });
    await connection.client.chat.send.mutate({ conversationId: conversation.id, clientId: crypto.randomUUID(), body: "Hi bot, a person here" });
  } finally {
    await connection.close();
  }
}

export const example: Example = {
  name: "1-node-script",
  async verify(context) {
    const owner = await context.newPerson("Bot owner");
    const person = await context.newPerson("Second person");
    const token = await owner.token(["meetings:manage", "meetings:join", "chat:read", "chat:send"]);

    let acting: Promise<void> | null = null;
    let meeting: { id: string; code: string } | null = null;
    const run = await runBot(
      { QUALMEET_URL: context.webUrl, QUALMEET_REALTIME_URL: context.realtimeUrl, QUALMEET_TOKEN: token, QUALMEET_MAX_EVENTS: "2", QUALMEET_TIMEOUT_S: "60" },
      (line) => {
        if (line.type === "meeting.created") meeting = line.meeting as { id: string; code: string };
        // the bot listens from before it posts: the second person acts once the post is printed
        if (line.type === "message.sent" && meeting) acting = secondPersonActs(context, person.cookie, meeting);
      },
    );
    await acting;

    const missing: string[] = [];
    const has = (what: string, test: (line: Line) => boolean) => run.lines.some(test) || missing.push(what);
    const event = (line: Line) => line.event as { type: string; peer?: { userId: string }; message?: { body: string; sender: { id: string } } } | undefined;
    has("the meeting it created", (l) => l.type === "meeting.created");
    has("the message it posted", (l) => l.type === "message.sent");
    has("the second person joining (a live meeting event)", (l) => l.type === "event" && event(l)?.type === "peer.joined" && event(l)?.peer?.userId === person.id);
    has("the second person's message (a live chat event)", (l) => l.type === "event" && event(l)?.type === "message.new" && event(l)?.message?.sender.id === person.id);
    has("its end after the two events", (l) => l.type === "done" && l.reason === "events");
    if (run.code !== 0 || missing.length > 0) {
      throw new Error(
        `meeting-bot.ts (exit ${run.code}) did not print ${missing.join(", ") || "an error-free run"}.\nstdout:\n${run.lines.map((l) => JSON.stringify(l)).join("\n")}\nstderr:\n${run.stderr}`,
      );
    }
    const events = run.lines.filter((l) => l.type === "event").length;
    return `created meeting ${meeting!.code}, posted a message, printed ${events} live events including the second person's join and message`;
  },
};
