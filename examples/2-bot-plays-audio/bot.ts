// Example 2: a bot joins a meeting and plays an audio file into it (a test tone when no file is given).
//
//   QUALMEET_REALTIME_URL=ws://localhost:3001 QUALMEET_TOKEN=qm_... MEETING_CODE=abcd2345 \
//     node --import tsx examples/2-bot-plays-audio/bot.ts [audio file]
//
// The token needs the scope "meetings:join" (Settings -> API tokens). Everyone in the meeting sees the bot, marked
// as a bot, and hears the file. Optional: BOT_NAME (default "Tone bot"), PLAY_SECONDS (the tone's length, default 10).
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import superjson from "superjson";
import WebSocket from "ws";
import type { RealtimeRouter } from "@qualmeet/api";
import { MeetingBot, toneInput } from "../../packages/client/src/bot/index.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set: see examples/2-bot-plays-audio/README.md`);
    process.exit(2);
  }
  return value;
}

const realtimeUrl = required("QUALMEET_REALTIME_URL");
const token = required("QUALMEET_TOKEN");
const meetingCode = required("MEETING_CODE");
const audioFile = process.argv[2] ?? process.env.AUDIO_FILE;
const name = process.env.BOT_NAME ?? "Tone bot";
const toneSeconds = Number(process.env.PLAY_SECONDS ?? 10);

// a Node program authenticates its socket with the token (a browser would send its session cookie)
class TokenWebSocket extends WebSocket {
  constructor(url: string | URL) {
    super(url, { headers: { authorization: `Bearer ${token}` } });
  }
}
const socket = createWSClient({ url: realtimeUrl, WebSocket: TokenWebSocket as unknown as typeof globalThis.WebSocket });
const client = createTRPCClient<RealtimeRouter>({ links: [wsLink({ client: socket, transformer: superjson })] });

const bot = new MeetingBot(client, { name });
bot.on("ended", (reason) => console.log(`out of the meeting: ${reason}`));
bot.on("error", (error) => console.error(`error: ${error.message}`));

let stopping = false;
async function stop(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await bot.close().catch((error: unknown) => console.error(`leaving failed: ${(error as Error).message}`));
    await socket.close();
  }
  process.exit(exitCode);
}
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));

try {
  const started = performance.now();
  const joined = await bot.join(meetingCode);
  console.log(`joined "${joined.meeting.title}" as ${name} (a bot) in ${Math.round(performance.now() - started)} ms; ${joined.peers.length} others there`);
  const playback = await bot.playFile(audioFile ?? { ffmpegInput: toneInput(toneSeconds) });
  console.log(`playing ${audioFile ?? `a ${toneSeconds} s test tone (440 Hz)`}`);
  const progress = setInterval(() => console.log(`sent ${playback.packetsSent()} RTP packets (${playback.packetsPerSecond().toFixed(1)} a second)`), 2000);
  await playback.done;
  clearInterval(progress);
  console.log(`done: sent ${playback.packetsSent()} RTP packets, ${playback.packetsPerSecond().toFixed(1)} a second`);
  await stop(0);
} catch (error) {
  console.error(`the bot failed: ${(error as Error).message}`);
  await stop(1);
}
