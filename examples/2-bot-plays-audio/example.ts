/// <reference lib="dom" />
// Example 2 checked end to end: a host's meeting open in headless Chromium, bot.ts run as a developer runs it (a
// child process with a token of another person), and the Chromium participant must show the bot as a bot and hear
// it (the level of the audio it receives, from getStats(), above silence).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../tests/harness/browser.ts";
import { webClient } from "../../tests/harness/clients.ts";
import { recordPeerConnections } from "../../tests/harness/peerConnections.ts";
import { join, newPage, poll } from "../../apps/web/e2e/support/meetingPages.ts";
import type { Example } from "../context.ts";

const BOT_SCRIPT = fileURLToPath(new URL("./bot.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BOT_NAME = "Example tone bot";
/** A silent track reads 0; the test tone (ffmpeg's sine, amplitude 1/8) about 0.1. */
const SILENCE = 0.001;

/** The loudest audio the page receives now (0-1), and the energy received so far, over all its connections. */
function receivedAudio(page: Page) {
  return page.evaluate(async () => {
    let level = 0;
    let energy = 0;
    for (const { pc } of window.__peerConnections ?? []) {
      for (const report of (await pc.getStats()).values() as IterableIterator<Record<string, unknown>>) {
        if (report.type !== "inbound-rtp" || report.kind !== "audio") continue;
        level = Math.max(level, Number(report.audioLevel ?? 0));
        energy += Number(report.totalAudioEnergy ?? 0);
      }
    }
    return { level, energy };
  });
}

export const example: Example = {
  name: "2-bot-plays-audio",
  async verify(ctx) {
    const host = await ctx.newPerson("Example 2 host");
    const owner = await ctx.newPerson("Example 2 bot owner");
    const token = await owner.token(["meetings:join"]);
    const meeting = await webClient(ctx.webUrl, host.cookie).meeting.create.mutate({ title: "Example 2: a bot plays audio" });

    let browser: Browser | null = null;
    const bot = { lines: [] as string[], exitCode: null as number | null, exit: null as Promise<number> | null, kill: () => {} };
    /** the line bot.ts printed that starts with `prefix` (the last one), once it did; its whole output if it stopped first */
    const botLine = (prefix: string, timeoutMs: number) =>
      poll(
        `bot.ts to print "${prefix}..."`,
        async () => {
          const line = [...bot.lines].reverse().find((l) => l.startsWith(prefix));
          if (!line && bot.exitCode !== null) throw new Error(`bot.ts exited with ${bot.exitCode}:\n${bot.lines.join("\n")}`);
          return line ?? null;
        },
        timeoutMs,
      );
    try {
      browser = await launchChromium({ args: ["--autoplay-policy=no-user-gesture-required"] });
      const page = await newPage(browser, [], host.cookie);
      await recordPeerConnections(page);
      await join(page, ctx.webUrl, meeting.code);
      ctx.log(`host joined ${meeting.code} in Chromium`);

      const child = spawn(process.execPath, ["--import", "tsx", BOT_SCRIPT], {
        cwd: REPO_ROOT,
        env: { ...process.env, QUALMEET_REALTIME_URL: ctx.realtimeUrl, QUALMEET_TOKEN: token, MEETING_CODE: meeting.code, BOT_NAME, PLAY_SECONDS: "20" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      bot.kill = () => child.kill("SIGTERM");
      bot.exit = new Promise((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code) => resolve((bot.exitCode = code ?? 1)));
      });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on("line", (line) => {
          bot.lines.push(line);
          ctx.log(`bot.ts: ${line}`);
        });
      }

      const joinedLine = await botLine("joined ", 30_000);
      const badge = page.getByRole("list", { name: "People in the meeting" }).getByRole("listitem").filter({ hasText: BOT_NAME }).getByText("Bot", { exact: true });
      await badge.waitFor({ timeout: 20_000 }).catch(() => {
        throw new Error(`Chromium's participant list does not show ${BOT_NAME} with a "Bot" badge`);
      });
      const heard = await poll(
        "Chromium to hear the bot (received audio above silence)",
        async () => {
          const audio = await receivedAudio(page);
          return audio.level > SILENCE && audio.energy > 0 ? audio : null;
        },
        20_000,
      );
      const sentLine = await botLine("sent ", 10_000);
      bot.kill();
      const code = await bot.exit;
      if (code !== 0) throw new Error(`bot.ts exited with ${code}:\n${bot.lines.join("\n")}`);
      const joinMs = /in (\d+) ms/.exec(joinedLine)?.[1];
      const perSecond = /\(([\d.]+) a second\)/.exec(sentLine)?.[1];
      return `bot joined in ${joinMs} ms, sent ${perSecond} RTP packets/s; Chromium shows it as a bot and hears it at level ${heard.level.toFixed(3)}`;
    } finally {
      bot.kill();
      // a bot.ts that could not even start has already failed the check with its error
      if (bot.exit) await bot.exit.catch(() => null);
      await browser?.close();
    }
  },
};
