// The offline mediasoup worker recipe, checked in seconds: that it still fits the installed mediasoup
// (before anyone waits minutes for a build to fail after an upgrade), that the libsrtp 3 layer encrypts
// and decrypts, and that `npm install` left a working worker where mediasoup looks for it.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { repoRoot } from "../../tests/harness/paths.ts";
import { applyDtlsPatch, placeShims, shimsDir } from "./build.ts";
import { findMediasoup } from "./common.ts";

const ms = findMediasoup();
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qualmeet-mediasoup-recipe-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test("mediasoup is installed for @qualmeet/media", () => {
  expect(ms?.version).toBe("3.27.1");
});

test("the DTLS fix applies to the installed mediasoup's DtlsTransport.cpp, once", () => {
  const worker = path.join(dir, "dtls/worker");
  const file = path.join(worker, "src/RTC/DtlsTransport.cpp");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(path.join(ms!.dir, "worker/src/RTC/DtlsTransport.cpp"), file);
  applyDtlsPatch(worker);
  const patched = fs.readFileSync(file, "utf8");
  expect(patched).toContain("((operationType & BIO_CB_RETURN) != 0) ?");
  expect(patched).not.toContain("(operationType == BIO_CB_RETURN)");
  applyDtlsPatch(worker); // already fixed: accepted as is
  expect(fs.readFileSync(file, "utf8")).toBe(patched);
});

test("each stand-in takes the place of one of mediasoup's subprojects", () => {
  const worker = path.join(dir, "shims/worker");
  fs.cpSync(path.join(ms!.dir, "worker/subprojects"), path.join(worker, "subprojects"), { recursive: true });
  placeShims(worker);
  for (const name of fs.readdirSync(shimsDir)) {
    const wrap = fs.readFileSync(path.join(worker, "subprojects", `${name}.wrap`), "utf8");
    const directory = /^directory\s*=\s*(.+)$/m.exec(wrap)![1]!.trim();
    expect(fs.existsSync(path.join(worker, "subprojects", directory, "meson.build")), name).toBe(true);
    expect(fs.existsSync(path.join(worker, "subprojects", directory, "placeholder.c")), name).toBe(true);
  }
});

const canCompileSrtp = spawnSync("cc", ["--version"]).status === 0 && fs.existsSync("/usr/include/srtp2/srtp.h");
test.skipIf(!canCompileSrtp)("the libsrtp 3 layer round-trips RTP and RTCP for every profile mediasoup offers", () => {
  const here = path.join(repoRoot, "scripts/mediasoup");
  const bin = path.join(dir, "srtp3-roundtrip");
  const cc = spawnSync(
    "cc",
    [
      "-Wall",
      "-Werror",
      "-I",
      path.join(shimsDir, "libsrtp3/include"),
      path.join(here, "srtp3-roundtrip.test.c"),
      path.join(shimsDir, "libsrtp3/srtp3_on_srtp2.c"),
      "-lsrtp2",
      "-o",
      bin,
    ],
    { encoding: "utf8" },
  );
  expect(cc.stderr).toBe("");
  const run = spawnSync(bin, { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.stdout.trim()).toBe("ok");
});

test.skipIf(!!process.env.MEDIASOUP_WORKER_BIN)("npm install left a working worker where mediasoup looks for it", () => {
  expect(fs.existsSync(ms!.target), `no worker at ${ms!.target}: run \`npm run mediasoup:worker\``).toBe(true);
  const stamp = JSON.parse(fs.readFileSync(ms!.stampFile, "utf8")) as { key: string; source: string; sha256: string };
  expect(createHash("sha256").update(fs.readFileSync(ms!.target)).digest("hex")).toBe(stamp.sha256);
  // A worker built here must carry the DTLS fix: without it the first browser handshake crashes it.
  if (stamp.source === "source-build") expect(stamp.key).toContain("-dtlsfix-");
  // Exit 41 = started fine and noticed it was not launched by mediasoup's Node side.
  expect(spawnSync(ms!.target, [], { env: {} as NodeJS.ProcessEnv }).status).toBe(41);
  const smoke = spawnSync(process.execPath, ["--import", "tsx", "scripts/mediasoup/smoke-test.ts"], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
  expect(smoke.stdout + smoke.stderr).toContain("smoke test ok");
});
