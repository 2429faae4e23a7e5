// The system's ffmpeg (Debian's `ffmpeg` package), which encodes what a bot plays and records what it receives.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The payload types and codecs a bot sends: they match the media server's codecs (packages/media codecs.ts). */
export const BOT_CODECS = {
  audio: { mimeType: "audio/opus", payloadType: 100, clockRate: 48000, channels: 2, encoder: ["-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "64k"] },
  video: {
    mimeType: "video/VP8",
    payloadType: 101,
    clockRate: 90000,
    encoder: ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "800k", "-pix_fmt", "yuv420p", "-g", "60"],
  },
} as const;

export type BotMediaKind = keyof typeof BOT_CODECS;

/** FFMPEG_PATH, or `ffmpeg` on the PATH; a clear error saying how to install it when there is none. */
export function ffmpegPath(env: Record<string, string | undefined> = process.env): string {
  const candidates = env.FFMPEG_PATH
    ? [env.FFMPEG_PATH]
    : (env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, "ffmpeg"));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one: try the next directory of the PATH
    }
  }
  throw new Error(
    env.FFMPEG_PATH
      ? `FFMPEG_PATH is ${env.FFMPEG_PATH}, which is not an executable file.`
      : "ffmpeg was not found on the PATH: a bot needs it to play and record media. Install it (Debian/Ubuntu: apt-get install ffmpeg) or set FFMPEG_PATH.",
  );
}

/** ffmpeg's arguments to send `kinds` of `input` in real time as RTP to `target` (one output per kind, SSRCs given). */
export function sendArgs(options: { input: string[]; target: { ip: string; port: number }; streams: Array<{ kind: BotMediaKind; ssrc: number }>; loop?: boolean }): string[] {
  const { ip, port } = options.target;
  const host = ip.includes(":") ? `[${ip}]` : ip;
  const outputs = options.streams.flatMap(({ kind, ssrc }) => {
    const codec = BOT_CODECS[kind];
    // RTCP on the RTP port: the bot relays both from one socket, as the server's transport multiplexes them
    return [
      "-map",
      `0:${kind === "audio" ? "a" : "v"}:0`,
      ...codec.encoder,
      "-payload_type",
      String(codec.payloadType),
      "-ssrc",
      String(ssrc),
      "-f",
      "rtp",
      `rtp://${host}:${port}?rtcpport=${port}&pkt_size=1200`,
    ];
  });
  return ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", ...(options.loop ? ["-stream_loop", "-1"] : []), ...options.input, ...outputs];
}

/** A sine tone of `seconds` as a file input (ffmpeg's lavfi), for trying a bot out without a recording at hand. */
export const toneInput = (seconds: number, frequency = 440): string[] => ["-f", "lavfi", "-i", `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`];

/** A running ffmpeg: `exited` settles when it ends (rejects with what it printed when it failed, not when stopped). */
export interface FfmpegRun {
  process: ChildProcess;
  exited: Promise<void>;
  stop(): void;
}

export function runFfmpeg(args: string[], path = ffmpegPath()): FfmpegRun {
  const child = spawn(path, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let stopped = false;
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    // the last few kilobytes say why it failed
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0 || stopped) resolve();
      else reject(new Error(`ffmpeg failed (${signal ?? `exit code ${code}`}): ${stderr.trim() || "it printed nothing"}`));
    });
  });
  return {
    process: child,
    exited,
    stop: () => {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };
}
