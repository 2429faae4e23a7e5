// Starts a mediasoup Worker (MEDIASOUP_WORKER_BIN, or the installed one), a Router with opus and VP8
// and a WebRtcTransport on 127.0.0.1, then closes everything. Exit 0 on success.
//   node --import tsx scripts/mediasoup/smoke-test.ts
// It proves the binary loads, speaks mediasoup's channel protocol and opens sockets. It cannot prove
// DTLS works: only a browser handshake does (see the DTLS patch in build.ts).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(root, "packages/media/package.json"));
const mediasoup = (await import(pathToFileURL(require.resolve("mediasoup")).href)) as typeof import("mediasoup");

const deadline = setTimeout(() => {
  console.error("smoke test: no answer from the worker within 30 s");
  process.exit(1);
}, 30_000);

const worker = await mediasoup.createWorker({ logLevel: "warn", rtcMinPort: 40_000, rtcMaxPort: 49_999 });
try {
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: "audio", mimeType: "audio/opus", clockRate: 48_000, channels: 2 },
      { kind: "video", mimeType: "video/VP8", clockRate: 90_000 },
    ],
  });
  const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: "udp", ip: "127.0.0.1" }] });
  const codecs = router.rtpCapabilities.codecs?.map((c) => c.mimeType).join(",");
  const candidate = transport.iceCandidates[0];
  if (!candidate || transport.dtlsParameters.fingerprints.length === 0) throw new Error("transport has no ICE candidate or DTLS fingerprint");
  console.log(`smoke test ok: mediasoup ${mediasoup.version}, worker pid ${worker.pid}, codecs ${codecs}, ice ${candidate.address}:${candidate.port}`);
  transport.close();
  router.close();
} finally {
  worker.close();
  clearTimeout(deadline);
}
