// The realtime node's compiled build (apps/realtime/dist/main.js, bundled by scripts/build-server.ts), which
// `npm start`, the benchmarks and the tests run with plain node. turbo decides staleness: sources of the app, of the
// workspace packages or of the build script changed since the cached build -> rebuilt (about a second), else restored.
import { turboBuild } from "./webBuild.ts";

export const REALTIME_ENTRY = "apps/realtime/dist/main.js";
/** The web app's custom server, built with the web app (buildWeb). */
export const WEB_SERVER_ENTRY = "apps/web/dist/server.js";

export function buildRealtime(root: string, options: { quiet?: boolean } = {}): Promise<void> {
  return turboBuild(root, "@qualmeet/realtime", options);
}
