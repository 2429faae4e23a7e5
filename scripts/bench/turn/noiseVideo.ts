// A camera that fills any bitrate: Chromium's fake camera plays this file (--use-file-for-fake-video-capture) in a
// loop. Its own moving pattern compresses so well that VP8 sends ~0.5 Mbps at 640x480 however high the cap; random
// pixels do not compress, so the encoder runs at its cap.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";

/** Writes `seconds` of random 4:2:0 frames as a Y4M file (the format Chromium's file capture reads). */
export async function writeNoiseY4m(file: string, options: { width: number; height: number; fps: number; seconds: number }): Promise<void> {
  const { width, height, fps } = options;
  const frameBytes = width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < fps * options.seconds; i++) parts.push(Buffer.from("FRAME\n"), randomBytes(frameBytes));
  await writeFile(file, Buffer.concat(parts));
}
