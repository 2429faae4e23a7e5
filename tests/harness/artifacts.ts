// What a failed end-to-end test leaves behind: a screenshot of every page still open and the Playwright trace
// of every browser context, under .test-artifacts/<file - test name>/. Contexts record a trace from the moment
// they open (actions and DOM snapshots; no screencast, which would cost CPU that two cores don't have). The
// artifacts are saved when a context closes during a failed test (the file's afterEach closing it) and, for
// those still open, when the test ends (tests/harness/e2eSetup.ts).
import { appendFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { repoRoot } from "./paths.ts";

export const ARTIFACTS_DIR = path.join(repoRoot, ".test-artifacts");

interface RunningTest {
  name: string;
  dir: string;
  failed(): boolean;
  /** contexts whose artifacts are saved, numbered in the order they were saved */
  saved: Map<BrowserContext, number>;
}

let recording = false;
let current: RunningTest | undefined;
const openContexts = new Set<BrowserContext>();

/** Turns on tracing for browsers launched from now on in this test file (tests/harness/e2eSetup.ts calls it). */
export function recordFailures(): void {
  recording = true;
}

export function testStarted(name: string, failed: () => boolean): void {
  const folder = name
    .replace(/[^\w.]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 150);
  current = { name, dir: path.join(ARTIFACTS_DIR, folder), failed, saved: new Map() };
}

/** Saves what the still-open contexts show if the test failed; returns the folder when anything was saved. */
export async function testFinished(): Promise<string | undefined> {
  const test = current;
  if (!test) return undefined;
  for (const context of openContexts) await saveIfFailed(context, { closing: false });
  current = undefined;
  return test.saved.size ? test.dir : undefined;
}

/** Every context `browser` opens from now on records a trace, saved if it closes while a test is failing. */
export function traceContexts(browser: Browser): void {
  if (!recording) return;
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.tracing.start({ snapshots: true, title: current?.name });
    openContexts.add(context);
    context.on("close", () => openContexts.delete(context));
    const close = context.close.bind(context);
    context.close = async (closeOptions) => {
      await saveIfFailed(context, { closing: true });
      return close(closeOptions);
    };
    return context;
  };
}

async function saveIfFailed(context: BrowserContext, { closing }: { closing: boolean }): Promise<void> {
  const test = current;
  if (!test?.failed() || test.saved.has(context) || !openContexts.has(context)) return;
  if (test.saved.size === 0) await rm(test.dir, { recursive: true, force: true }); // a previous run's or attempt's
  const n = test.saved.size + 1;
  test.saved.set(context, n);
  await mkdir(test.dir, { recursive: true });
  for (const [i, page] of context.pages().entries()) {
    const file = `context-${n}-page-${i + 1}.png`;
    await appendFile(path.join(test.dir, "pages.txt"), `${file}\t${page.url()}\n`);
    await page.screenshot({ path: path.join(test.dir, file), timeout: 10_000 }).catch((error: Error) => {
      console.error(`[e2e artifacts] no screenshot of ${page.url()} for "${test.name}": ${error.message}`);
    });
  }
  try {
    await context.tracing.stopChunk({ path: path.join(test.dir, `context-${n}.trace.zip`) });
    // a context that outlives the test keeps recording for the tests after it
    if (!closing) await context.tracing.startChunk({ title: test.name });
  } catch (error) {
    console.error(`[e2e artifacts] no trace of context ${n} for "${test.name}": ${(error as Error).message}`);
  }
}
