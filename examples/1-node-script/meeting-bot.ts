// A Node script on QualMeet's API with a personal access token: it creates a meeting, joins it, posts a chat
// message and prints the meeting's live events (one JSON object a line) until it has heard QUALMEET_MAX_EVENTS
// things from other people, or QUALMEET_TIMEOUT_S passed, or Ctrl-C.
//
//   QUALMEET_URL=http://localhost:3000 QUALMEET_REALTIME_URL=ws://localhost:3001 QUALMEET_TOKEN=qm_... npx tsx meeting-bot.ts
import { randomUUID } from "node:crypto";
import { createQualmeetClient, errorMessage, refusalOf, type ChatEvent, type MeetingEvent } from "@qualmeet/client/node";

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`Set ${name} (see README.md).`);
    process.exit(2);
  }
  return value;
}

const webUrl = setting("QUALMEET_URL");
const realtimeUrl = setting("QUALMEET_REALTIME_URL");
const token = setting("QUALMEET_TOKEN");
const maxEvents = Number(setting("QUALMEET_MAX_EVENTS", "10"));
const timeoutMs = Number(setting("QUALMEET_TIMEOUT_S", "120")) * 1000;
const title = setting("QUALMEET_MEETING_TITLE", "Meeting bot's meeting");

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = createQualmeetClient({ webUrl, realtimeUrl, token, onStateChange: (state) => print({ type: "socket", ...state }) });
let finishing = false;

async function finish(reason: "events" | "timeout" | "interrupted"): Promise<void> {
  if (finishing) return;
  finishing = true;
  print({ type: "done", reason });
  await client.close();
  process.exit(0);
}

async function main(): Promise<void> {
  setTimeout(() => void finish("timeout"), timeoutMs);
  process.once("SIGINT", () => void finish("interrupted"));

  // HTTP, scope meetings:manage
  const meeting = await client.web.meeting.create.mutate({ title, maxParticipants: 10 });
  print({ type: "meeting.created", meeting: { id: meeting.id, code: meeting.code, title: meeting.title, url: `${webUrl}/m/${meeting.code}` } });

  // realtime, scope meetings:join: the bot is a participant (the host: the token's owner made the meeting)
  const joined = await client.realtime.room.join.mutate({ code: meeting.code });
  const me = joined.self;
  print({ type: "meeting.joined", peerId: me.peerId });

  // what counts toward QUALMEET_MAX_EVENTS: something another person did
  let heard = 0;
  const heardFromOthers = () => {
    if (++heard >= maxEvents) void finish("events");
  };
  const onMeetingEvent = (event: MeetingEvent) => {
    print({ type: "event", source: "meeting", event });
    if ((event.type === "peer.joined" && event.peer.peerId !== me.peerId) || (event.type === "peer.left" && event.peerId !== me.peerId)) heardFromOthers();
  };
  client.realtime.room.events.subscribe(
    { meetingId: meeting.id, peerId: me.peerId, lastEventId: joined.lastEventId },
    { onData: ({ data }) => onMeetingEvent(data), onError: (error) => fail(error) },
  );

  // the meeting's chat (scope chat:read), its events, then a message (scope chat:send)
  const conversation = await client.realtime.chat.meetingConversation.mutate({ meetingId: meeting.id });
  const onChatEvent = (event: ChatEvent) => {
    const conversationId = "message" in event ? event.message.conversationId : "conversationId" in event ? event.conversationId : null;
    if (conversationId !== conversation.id) return;
    print({ type: "event", source: "chat", event });
    if ((event.type === "message.new" || event.type === "message.edited") && event.message.sender.id !== me.userId) heardFromOthers();
  };
  await new Promise<void>((started) => {
    client.realtime.chat.events.subscribe({}, { onStarted: () => started(), onData: ({ data }) => onChatEvent(data as ChatEvent), onError: (error) => fail(error) });
  });
  const sent = await client.realtime.chat.send.mutate({
    conversationId: conversation.id,
    clientId: randomUUID(),
    body: `Hello from the meeting bot. Join at ${webUrl}/m/${meeting.code}`,
  });
  print({ type: "message.sent", message: { id: sent.id, body: sent.body } });
}

/** A refusal (a missing scope, a revoked token) is said with its code; the script then stops. */
function fail(error: unknown): void {
  const refusal = refusalOf(error);
  console.error(JSON.stringify({ type: "error", code: refusal?.code ?? null, message: errorMessage(error) }));
  void client.close().finally(() => process.exit(1));
}

main().catch(fail);
