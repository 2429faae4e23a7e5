// The web build every test runs against: with the test hooks (window.__qualmeet) and a TURN server and secret,
// so the bundle secret scan (apps/web/src/server/bundleSecrets.int.test.ts) looks for a TURN secret the build
// really had. The secret is a fixed test-only value (no coturn anywhere uses it): a build turbo restored from its
// cache was made with the same one, so the scan means the same on a cached build as on a fresh one. A test that
// builds the product's variant (as `npm start` does) puts this one back when it is done.
import { buildWeb } from "../../scripts/lib/webBuild.ts";
import { repoRoot } from "./paths.ts";

export const WEB_BUILD_TURN_ENV = {
  TURN_URLS: "turn:127.0.0.1:3478",
  TURN_SECRET: "test-only-turn-secret-the-bundle-must-not-hold",
} as const;

/** Builds (or restores from turbo's cache) the tests' web build. */
export const buildTestWeb = (): Promise<void> => buildWeb(repoRoot, { quiet: true, testHooks: true, env: WEB_BUILD_TURN_ENV });
