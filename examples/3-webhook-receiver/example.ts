// Example 3: the receiver (receiver.ts) run as a developer would, against a QualMeet whose servers allow private
// addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true: the receiver is on this machine). It registers an endpoint for
// the receiver, causes a meeting (start, a join, a leave, the end) and a chat message, and checks that the receiver
// printed each event as verified; then that it refuses a tampered, a replayed and a wrongly signed delivery with 400.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { SIGNATURE_HEADER, sign } from "@qualmeet/webhook-signature";
import { freePort } from "../../scripts/lib/ports.ts";
import { realtimeClient, webClient } from "../../tests/harness/clients.ts";
import type { Example, ExampleContext } from "../context.ts";

const EXPECTED = ["meeting.started", "participant.joined", "participant.left", "meeting.ended", "message.sent"] as const;
const WAIT_MS = 30_000;

interface PrintedLine {
  verified?: boolean;
  listening?: string;
  id?: string;
  type?: string;
  data?: Record<string, unknown>;
}

/** Starts receiver.ts; `lines` fills with what it prints on stdout. */
function startReceiver(secret: string, port: number) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "receiver.ts")], {
    cwd: path.join(import.meta.dirname, "../.."),
    env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port), HOST: "127.0.0.1" },
  });
  const lines: PrintedLine[] = [];
  const refusals: string[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => lines.push(JSON.parse(line) as PrintedLine));
  createInterface({ input: child.stderr }).on("line", (line) => refusals.push(line));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, lines, refusals, exited };
}

async function until<T>(what: string, check: () => T | undefined | false, exited: Promise<unknown>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    const value = check();
    if (value) return value;
    if (gone) throw new Error(`the receiver exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The host's meeting (a friend joins and leaves, the host ends it) and the friend's message to the host. */
async function causeEvents(context: ExampleContext, host: { cookie: string; token: string }, friend: { id: string; token: string }): Promise<void> {
  const hostWeb = webClient(context.webUrl, host.cookie);
  const meeting = await hostWeb.meeting.create.mutate({ title: "Webhook example", maxParticipants: 5 });
  const hostSocket = realtimeClient(context.realtimeUrl, { authorization: `Bearer ${host.token}` });
  const friendSocket = realtimeClient(context.realtimeUrl, { authorization: `Bearer ${friend.token}` });
  try {
    await hostSocket.client.room.join.mutate({ code: meeting.code });
    const joined = await friendSocket.client.room.join.mutate({ code: meeting.code });
    await friendSocket.client.room.leave.mutate({ meetingId: meeting.id, peerId: joined.self.peerId });
    await hostWeb.meeting.end.mutate({ code: meeting.code });
    const dm = await hostWeb.chat.createDirect.mutate({ userId: friend.id });
    await friendSocket.client.chat.send.mutate({ conversationId: dm.id, clientId: randomUUID(), body: "Hello from the webhook example" });
  } finally {
    await Promise.all([hostSocket.close(), friendSocket.close()]);
  }
}

/** Deliveries the receiver must refuse: each answered 400 and never printed. */
async function checkRefusals(url: string, secret: string, printed: () => number): Promise<string[]> {
  const body = JSON.stringify({ id: randomUUID(), type: "meeting.started", createdAt: new Date().toISOString(), data: { meeting: { id: randomUUID() } } });
  const now = Math.floor(Date.now() / 1000);
  const forged = [
    { name: "tampered", body: body.replace("meeting.started", "meeting.ended"), header: sign({ body, secret }) },
    { name: "replayed an hour later", body, header: sign({ body, secret, timestamp: now - 3600 }) },
    { name: "signed with another secret", body, header: sign({ body, secret: "whsec_not-the-endpoints" }) },
    { name: "unsigned", body, header: null },
  ];
  const before = printed();
  for (const delivery of forged) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(delivery.header ? { [SIGNATURE_HEADER]: delivery.header } : {}) },
      body: delivery.body,
    });
    if (res.status !== 400) throw new Error(`the receiver answered ${res.status} to a ${delivery.name} delivery instead of 400`);
  }
  if (printed() !== before) throw new Error("the receiver printed a delivery it should have refused");
  return forged.map((f) => f.name);
}

export const example: Example = {
  name: "3-webhook-receiver",
  async verify(context) {
    const host = await context.newPerson("Webhook Example Host");
    const friend = await context.newPerson("Webhook Example Friend");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/qualmeet-webhooks`;
    const hostWeb = webClient(context.webUrl, host.cookie);
    const { endpoint, secret } = await hostWeb.webhooks.create.mutate({ url, events: [...EXPECTED], description: "Example 3" });
    context.log(`endpoint ${endpoint.id} -> ${url}`);
    const receiver = startReceiver(secret, port);
    try {
      await until("the receiver to listen", () => receiver.lines.find((l) => l.listening), receiver.exited);
      await causeEvents(context, { cookie: host.cookie, token: await host.token(["meetings:join"]) }, { id: friend.id, token: await friend.token(["meetings:join", "chat:send"]) });
      const verified = () => receiver.lines.filter((l) => l.verified);
      const missing = () => EXPECTED.filter((type) => !verified().some((l) => l.type === type));
      await until(`verified ${missing().join(", ")}`, () => missing().length === 0, receiver.exited).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; printed: ${JSON.stringify(receiver.lines)}; refused: ${receiver.refusals.join(" | ")}`);
      });
      for (const line of verified()) context.log(`verified ${line.type} ${line.id}`);
      const refused = await checkRefusals(url, secret, () => receiver.lines.length);
      return `the receiver printed ${verified().length} verified events (${EXPECTED.join(", ")}) and refused ${refused.length} bad deliveries (${refused.join(", ")}) with 400`;
    } finally {
      receiver.child.kill("SIGTERM");
      await receiver.exited;
      await hostWeb.webhooks.delete.mutate({ endpointId: endpoint.id });
    }
  },
};
