import { mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ffmpegPath, sendArgs, toneInput } from "./ffmpeg.ts";

test("ffmpeg is found on the PATH or at FFMPEG_PATH; without one the error says how to install it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ffmpeg-path-"));
  try {
    const fake = join(dir, "ffmpeg");
    await writeFile(fake, "#!/bin/sh\n");
    await chmod(fake, 0o755);
    expect(ffmpegPath({ PATH: `/nonexistent:${dir}` })).toBe(fake);
    expect(ffmpegPath({ FFMPEG_PATH: fake, PATH: "" })).toBe(fake);
    expect(() => ffmpegPath({ PATH: "/nonexistent" })).toThrow(
      "ffmpeg was not found on the PATH: a bot needs it to play and record media. Install it (Debian/Ubuntu: apt-get install ffmpeg) or set FFMPEG_PATH.",
    );
    expect(() => ffmpegPath({ FFMPEG_PATH: join(dir, "missing") })).toThrow(/FFMPEG_PATH is .*missing, which is not an executable file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the sender encodes opus at the server's payload type and SSRC, in real time, RTCP on the RTP port", () => {
  const args = sendArgs({ input: toneInput(5), target: { ip: "127.0.0.1", port: 40000 }, streams: [{ kind: "audio", ssrc: 1234 }] });
  expect(args.join(" ")).toContain("-re -f lavfi -i sine=frequency=440:sample_rate=48000:duration=5 -map 0:a:0 -c:a libopus");
  expect(args.join(" ")).toContain("-payload_type 100 -ssrc 1234 -f rtp rtp://127.0.0.1:40000?rtcpport=40000&pkt_size=1200");
});
