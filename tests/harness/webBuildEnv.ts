// What the test build of the web app gets beyond the run's configuration: a TURN server and its secret, so the
// bundle secret scan (apps/web/src/server/bundleSecrets.int.test.ts) looks for a TURN secret the build really had.
// A fixed test-only value (no coturn anywhere uses it): a build turbo restored from its cache was made with the
// same one, so the scan means the same on a cached build as on a fresh one.
export const WEB_BUILD_TURN_ENV = {
  TURN_URLS: "turn:127.0.0.1:3478",
  TURN_SECRET: "test-only-turn-secret-the-bundle-must-not-hold",
} as const;
