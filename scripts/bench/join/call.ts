// One measured join, as bench:join and bench:turn drive it: a fresh meeting whose first N-1 people are already in
// the call and see each other; person N clicks "Join now", and the time runs from that click (on the page's clock)
// to the first remote frame presented (join/probe.ts).
import type { Page } from "playwright-core";
import { webClient } from "../../../tests/harness/clients.ts";
import { firstFrameFrom, readState, sfuCompleteAt, type PageState } from "./probe.ts";
import { STEP_MS } from "./stack.ts";

/** a join whose frames have not all arrived by then counts as failed */
const JOIN_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens the meeting and waits for the camera preview: the moment a person would click. `quality` is the capture
 * preset (apps/web/src/lib/media/devices.ts): "low" (320x240@15) spares the CPU.
 */
export async function openLobby(page: Page, webUrl: string, code: string, quality: "low" | "standard" = "low"): Promise<void> {
  await page.goto(`${webUrl}/m/${code}?quality=${quality}`);
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('video[aria-label="Camera preview"]');
    return !!v && v.readyState >= 2 && v.videoWidth > 0;
  });
}

const states = (pages: Page[]) => Promise.all(pages.map(readState));

/** Polls the pages until `check` returns a value, or gives up (undefined) after `timeoutMs`. */
export async function until<T>(pages: Page[], timeoutMs: number, check: (all: PageState[]) => T | undefined): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check(await states(pages));
    if (found !== undefined || Date.now() > deadline) return found;
    await sleep(50);
  }
}

/** Per page, how many of the others it presents frames from ("-" without a peer id): where a call got stuck. */
function whoSeesWhom(all: PageState[]): string {
  const ids = all.map((s) => s.peerId);
  const seen = all.map((s, i) => (s.peerId ? String(ids.filter((id, j) => i !== j && id && firstFrameFrom(s, id) !== undefined).length) : "-"));
  return `frames from how many of the other ${all.length - 1}, per page: ${seen.join(" ")}`;
}

/** Everyone on `pages` has a peer id and presents frames from every other one of them. */
export const everyoneSeesEveryone = (all: PageState[]) => {
  const ids = all.map((s) => s.peerId);
  if (ids.some((id) => !id)) return undefined;
  return all.every((s, i) => ids.every((id, j) => i === j || firstFrameFrom(s, id!) !== undefined)) ? true : undefined;
};

/** Everyone leaves (the next join gets a new meeting). */
export async function leave(pages: Page[], log: (message: string) => void): Promise<void> {
  await Promise.all(pages.map((page) => page.goto("about:blank").catch((error: Error) => log(`leaving failed: ${error.message}`))));
}

export interface JoinSample {
  /** ms from the click to the joiner's first frame from anyone */
  joiner: number;
  /** ... from every one of the others */
  joinerAll: number;
  /** per person already in the call: ms from the click to their first frame from the joiner */
  existing: number[];
  /** with `sfuSwitch`: ms until every page shows every other person over the SFU (mesh closed) */
  switch?: number;
}

export interface JoinCall {
  webUrl: string;
  /** the Cookie header of the account that creates the meeting */
  hostCookie: string;
  /** one signed-in page per person, the joiner last */
  pages: Page[];
  p2pMaxParticipants: number;
  title: string;
  /** the join switches the meeting to the SFU: also wait for (and time) everyone showing everyone there */
  sfuSwitch?: boolean;
  log: (message: string) => void;
  /** runs before everyone leaves, once the join completed or timed out, with the epoch ms of the click (e.g. to read traces) */
  afterJoin?: (pages: Page[], clickAt: number) => Promise<void>;
}

/** One join into a fresh meeting of `pages.length - 1` people already in the call; undefined when it did not complete. */
export async function measureJoin(call: JoinCall): Promise<JoinSample | undefined> {
  const { pages, log } = call;
  const meeting = await webClient(call.webUrl, call.hostCookie).meeting.create.mutate({ title: call.title, maxParticipants: 10, p2pMaxParticipants: call.p2pMaxParticipants });
  const inCall = pages.slice(0, -1);
  const joinerPage = pages.at(-1)!;
  try {
    for (const page of inCall) {
      await openLobby(page, call.webUrl, meeting.code);
      await page.getByRole("button", { name: "Join now" }).click();
    }
    if (!(await until(inCall, STEP_MS, everyoneSeesEveryone))) {
      log(`${call.title}: the first ${inCall.length} people did not all see each other within ${STEP_MS} ms (${whoSeesWhom(await states(inCall))}); join skipped`);
      return undefined;
    }
    await openLobby(joinerPage, call.webUrl, meeting.code);
    await joinerPage.getByRole("button", { name: "Join now" }).click();
    const sample = await until(pages, JOIN_TIMEOUT_MS, (all) => {
      const joiner = all.at(-1)!;
      const others = all.slice(0, -1);
      if (joiner.clickAt === null || !joiner.peerId) return undefined;
      const clickAt = joiner.clickAt;
      const fromOthers = others.map((s) => firstFrameFrom(joiner, s.peerId!));
      const ofJoiner = others.map((s) => firstFrameFrom(s, joiner.peerId!));
      if ([...fromOthers, ...ofJoiner].some((at) => at === undefined)) return undefined;
      const sample: JoinSample = {
        joiner: Math.min(...(fromOthers as number[])) - clickAt,
        joinerAll: Math.max(...(fromOthers as number[])) - clickAt,
        existing: (ofJoiner as number[]).map((at) => at - clickAt),
      };
      if (call.sfuSwitch) {
        const done = all.map((s) =>
          sfuCompleteAt(
            s,
            all.filter((o) => o !== s).map((o) => o.peerId!),
          ),
        );
        if (done.some((at) => at === undefined)) return undefined;
        sample.switch = Math.max(...(done as number[])) - clickAt;
      }
      return sample;
    });
    if (!sample) log(`${call.title}: the join did not complete within ${JOIN_TIMEOUT_MS} ms (${whoSeesWhom(await states(pages))})`);
    const { clickAt } = await readState(joinerPage);
    if (call.afterJoin && clickAt !== null) await call.afterJoin(pages, clickAt);
    return sample;
  } finally {
    await leave(pages, log);
  }
}
