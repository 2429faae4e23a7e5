// Real parts come from Debian's packages (redis-server, redis-sentinel, coturn, nginx, janus, ffmpeg, prometheus):
// found on PATH or in /usr/sbin, else installed with apt-get when running as root, else a clear error naming the package.
import { commandExists, isRoot, run } from "./run.ts";

async function findBinary(binary: string): Promise<string | null> {
  for (const candidate of [binary, `/usr/sbin/${binary}`, `/usr/bin/${binary}`]) if (await commandExists(candidate)) return candidate;
  return null;
}

/**
 * The path of `binary` from Debian's package `pkg`, installed with apt as root when missing.
 * `hint` is added to the error when it cannot be installed (how else to get it, or what to configure instead).
 */
export async function ensureDebianBinary(binary: string, pkg: string, options: { log?: (line: string) => void; hint?: string } = {}): Promise<string> {
  const found = await findBinary(binary);
  if (found) return found;
  const hint = options.hint ?? `Install it with \`sudo apt-get install -y ${pkg}\` (Debian/Ubuntu).`;
  if (!isRoot() || !(await commandExists("apt-get"))) throw new Error(`${binary} is missing. ${hint}`);
  options.log?.(`${binary} is missing: installing ${pkg} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", pkg], { env });
  let result = await install();
  if (result.code !== 0) {
    await run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "update"], { env });
    result = await install();
  }
  const installed = await findBinary(binary);
  if (installed) return installed;
  throw new Error(`apt-get could not install ${pkg}:\n${result.stderr.slice(-2000)}\n${hint}`);
}
