// The client bundle (what any visitor downloads from /_next/static) holds none of the servers' secrets. The
// global setup built the web app (tests/harness/globalSetup.ts, buildWeb) with this run's configuration in its
// environment: the session secret, the database and Redis URLs, the health token and a TURN secret
// (tests/harness/testBuild.ts; turbo passes the build only what turbo.json's globalPassThroughEnv names), and the
// admin password when set. A fresh clone (CI) builds with exactly these; a build turbo restored from its cache was made
// with an earlier run's values, which the URL-with-password pattern still catches. Checked to fail once: with
// `env: { NEXT_PUBLIC_BUILD_TAG: process.env.NEXTAUTH_SECRET }` in next.config.ts and a form showing it, it named
// the chunk holding the session secret.
import path from "node:path";
import { expect, test } from "vitest";
import { scanForSecrets, secretsOf } from "../../../../scripts/lib/secretScan.ts";
import { repoRoot } from "../../../../tests/harness/paths.ts";
import { WEB_BUILD_TURN_ENV } from "../../../../tests/harness/testBuild.ts";

test("no secret of the test configuration is in the web app's client bundle", async () => {
  const secrets = secretsOf({ ...process.env, ...WEB_BUILD_TURN_ENV });
  // the stack the global setup started always has these: a scan without them would prove nothing
  expect(secrets.map((s) => s.name)).toEqual(expect.arrayContaining(["NEXTAUTH_SECRET", "DATABASE_URL", "REDIS_URL", "HEALTH_DETAILS_TOKEN", "TURN_SECRET"]));
  const found = await scanForSecrets(path.join(repoRoot, "apps/web/.next/static"), secrets);
  console.log(JSON.stringify({ bundleSecretScan: { secrets: secrets.map((s) => s.name), found } }));
  expect(found).toEqual([]);
});
