// Global setup of the e2e project: .test-artifacts/ holds only what this run's failed tests left.
import { rm } from "node:fs/promises";
import { ARTIFACTS_DIR } from "./artifacts.ts";

export default async function clearArtifacts(): Promise<void> {
  await rm(ARTIFACTS_DIR, { recursive: true, force: true });
}
