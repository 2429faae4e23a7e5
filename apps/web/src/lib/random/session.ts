// One page's random chat: follows random.events, presses Start, Next and Stop (solving the proof-of-work challenge
// when moderation asks for one, then pressing again), and runs the call of each match. The server's events are the
// truth of where the person stands; a press only says what went wrong.
import { TRPCClientError } from "@trpc/client";
import { solveChallenge } from "@/lib/challenge/solve";
import { errorMessage } from "@qualmeet/client";
import { previewReady } from "@/lib/media/devices";
import { RandomCall } from "./call";
import { BlackVideoWatch } from "./blackVideo";
import { useRandomStore } from "./store";
import type { MatchedEvent, Preferences, RandomClient, RandomEvent, Reaction, ReportReason } from "./types";

type Press = { action: "start"; preferences: Preferences } | { action: "next" };

const ENDED_TEXT: Record<string, string | null> = {
  stopped: null,
  refused: null,
  disconnected: "You were disconnected from random chat. Press Start to search again.",
  removed: "You were taken out of random chat by moderation.",
};

declare global {
  interface Window {
    /** the e2e tests' view of the page (exposeTestHook) */
    __qualmeetRandom?: { stats(): Promise<unknown>; deviceId: string };
  }
}

export class RandomSession {
  private call: RandomCall | null = null;
  private blackWatch: BlackVideoWatch | null = null;
  private unsubscribe: (() => void) | null = null;
  /** the skip-black-video setting, read when a call starts */
  private skipBlackVideo = false;

  constructor(
    private readonly client: RandomClient,
    private readonly deviceId: string,
    private readonly iceTransportPolicy: RTCIceTransportPolicy,
  ) {}

  setSkipBlackVideo(on: boolean): void {
    this.skipBlackVideo = on;
  }

  /** Follows the person's events until close(); a dropped subscription resumes from where they stand. */
  open(): void {
    const sub = this.client.random.events.subscribe(undefined, {
      onData: (event) => this.onEvent(event),
      onError: (error) => console.error("[random] the event stream failed", error),
    });
    this.unsubscribe = () => sub.unsubscribe();
    void this.loadNotices();
  }

  /**
   * What moderation has to tell this person (a warning, an accepted appeal): asked when the page opens and at every
   * Start that went through, shown until acknowledged. A failure only delays it to the next time.
   */
  async loadNotices(): Promise<void> {
    try {
      const { notices } = await this.client.moderation.notices.query({ deviceId: this.deviceId });
      useRandomStore.getState().set({ moderationNotices: notices });
    } catch (error) {
      console.error("[random] moderation notices could not be loaded; asked again at the next Start", error);
    }
  }

  /** The person read the notice: it is not shown again, on any tab. */
  async acknowledgeNotice(noticeId: string): Promise<void> {
    await this.client.moderation.acknowledgeNotice.mutate({ deviceId: this.deviceId, noticeId });
    const store = useRandomStore.getState();
    store.set({ moderationNotices: store.moderationNotices.filter((notice) => notice.id !== noticeId) });
  }

  close(): void {
    this.unsubscribe?.();
    this.endCall();
    // leaving the page leaves random chat (the socket closing would too, 10 s later)
    void this.client.random.stop.mutate().catch(() => undefined);
  }

  start(preferences: Preferences): Promise<void> {
    return this.press({ action: "start", preferences });
  }

  next(): Promise<void> {
    return this.press({ action: "next" });
  }

  /** The search in progress begins again with other preferences (text only after the camera was refused). */
  async searchAgain(preferences: Preferences): Promise<void> {
    if (useRandomStore.getState().phase !== "searching") return;
    await this.stop();
    await this.start(preferences);
  }

  async stop(): Promise<void> {
    const store = useRandomStore.getState();
    store.set({ pressing: true, notice: null });
    try {
      await this.client.random.stop.mutate();
    } catch (error) {
      store.set({ notice: { text: errorMessage(error), tone: "error" } });
    } finally {
      useRandomStore.getState().set({ pressing: false });
    }
  }

  async send(text: string): Promise<void> {
    const match = useRandomStore.getState().match;
    if (!match) return;
    await this.client.random.send.mutate({ matchId: match.matchId, text });
    useRandomStore.getState().addLine("me", text.trim());
  }

  async react(emoji: Reaction): Promise<void> {
    const match = useRandomStore.getState().match;
    if (!match) return;
    await this.client.random.react.mutate({ matchId: match.matchId, emoji });
    useRandomStore.getState().addReaction("me", emoji);
  }

  /** A report of the partner of `matchId` (the current call or the one that just ended): the server's confirmation. */
  async report(matchId: string, reason: ReportReason, comment: string): Promise<string> {
    const { message } = await this.client.moderation.report.mutate({ matchId, reason, comment: comment.trim() || undefined });
    return message;
  }

  async block(matchId: string): Promise<string> {
    const { message } = await this.client.moderation.block.mutate({ matchId });
    return message;
  }

  /** An appeal of the ban shown; the notice then says it waits for a moderator. */
  async appeal(banId: string, message: string): Promise<void> {
    await this.client.moderation.appeal.mutate({ deviceId: this.deviceId, banId, message });
    const ban = useRandomStore.getState().ban;
    if (ban?.banId === banId) useRandomStore.getState().set({ ban: { ...ban, appealPending: true } });
  }

  /**
   * Only in the build tests make (next.config.ts): `window.__qualmeetRandom`, what the call receives and this
   * browser's device id. Returns its removal.
   */
  exposeTestHook(): () => void {
    if (process.env.QUALMEET_TEST_HOOKS !== "1") return () => undefined;
    window.__qualmeetRandom = { stats: () => this.stats(), deviceId: this.deviceId };
    return () => delete window.__qualmeetRandom;
  }

  /** What the e2e tests (and a curious person in the console) read of the call. */
  stats() {
    return this.call?.stats() ?? Promise.resolve(null);
  }

  /**
   * Start or Next. A press made while another is on its way is dropped (a double click); a Next names the match the
   * person sees, so a press that arrives after that match changed is refused rather than skipping the next partner.
   */
  private async press(press: Press, again?: { challengeSolution: string | undefined }): Promise<void> {
    const store = useRandomStore.getState();
    if (store.pressing && !again) return;
    const challengeSolution = again?.challengeSolution;
    store.set({ pressing: true, notice: null });
    try {
      const outcome =
        press.action === "start"
          ? await this.client.random.start.mutate({ deviceId: this.deviceId, preferences: press.preferences, challengeSolution })
          : await this.client.random.next.mutate({ matchId: again ? undefined : store.match?.matchId, challengeSolution });
      switch (outcome.status) {
        case "banned":
          useRandomStore.getState().set({ ban: outcome.ban });
          return;
        case "held":
          useRandomStore.getState().set({ notice: { text: outcome.message, tone: "error" } });
          return;
        case "challengeRequired":
          if (again) throw new Error("The check was not accepted. Press Start to try again.");
          await this.solveAndPressAgain(press);
          return;
        default:
          useRandomStore.getState().set({ ban: null });
          void this.loadNotices();
      }
    } catch (error) {
      this.refused(error);
    } finally {
      useRandomStore.getState().set({ pressing: false, solvingSince: null });
    }
  }

  private async solveAndPressAgain(press: Press): Promise<void> {
    useRandomStore.getState().set({ solvingSince: Date.now() });
    const { challenge } = await this.client.moderation.challenge.mutate({ deviceId: this.deviceId });
    const solution = challenge ? await solveChallenge(challenge) : undefined;
    // a refused Next left the call: the next press is a Next from "partner left", with no match id to name
    await this.press(press, { challengeSolution: solution });
  }

  private refused(error: unknown): void {
    const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
    // a Start while already searching or a Next on a match that changed: the events show where the person stands
    if (code === "CONFLICT" || code === "NOT_FOUND") return;
    if (code !== "TOO_MANY_REQUESTS") console.error("[random] a press failed", error);
    useRandomStore.getState().set({ notice: { text: errorMessage(error), tone: "error" } });
  }

  private onEvent(event: RandomEvent): void {
    const store = useRandomStore.getState();
    switch (event.type) {
      case "idle":
        this.endCall();
        store.set({ phase: "idle", match: null, searchingSince: null, widened: null });
        return;
      case "searching":
        this.endCall();
        store.set({ phase: "searching", match: null, searchingSince: event.since, widened: null, lines: [], reactions: [] });
        return;
      case "widened":
        store.set({ widened: event.stage === 1 ? "Widened: now also people with other interests." : "Widened: now people in any region and language." });
        return;
      case "matched":
        this.onMatched(event);
        return;
      case "partnerLeft":
        this.endCall();
        store.set({ phase: "partnerLeft", match: null });
        return;
      case "ended":
        this.endCall();
        store.set({ phase: "idle", match: null, searchingSince: null, notice: ENDED_TEXT[event.reason] ? { text: ENDED_TEXT[event.reason]!, tone: "info" } : store.notice });
        return;
      case "signal":
        if (this.call?.matchId === event.matchId) this.call.handle(event.signal);
        return;
      case "message":
        store.addLine("partner", event.text);
        return;
      case "reaction":
        store.addReaction("partner", event.emoji);
        return;
    }
  }

  private onMatched(event: MatchedEvent): void {
    // the same match again (a resumed subscription): the call goes on
    if (this.call?.matchId === event.matchId || useRandomStore.getState().match?.matchId === event.matchId) return;
    this.endCall();
    const match = { matchId: event.matchId, partnerName: event.partnerName, sharedInterests: event.sharedInterests, textOnly: event.textOnly };
    useRandomStore.getState().set({
      phase: event.textOnly ? "connected" : "connecting",
      match,
      reportable: { matchId: event.matchId, partnerName: event.partnerName },
      searchingSince: null,
      widened: null,
      lines: [],
      reactions: [],
      remoteStream: null,
    });
    if (event.textOnly) return;
    this.call = new RandomCall({
      match: event,
      iceTransportPolicy: this.iceTransportPolicy,
      localMedia: previewReady,
      sendSignal: (signal) => this.client.random.signal.mutate({ matchId: event.matchId, signal }),
      fetchIceServers: () => this.client.random.iceServers.query({ matchId: event.matchId }),
      notify: (text) => useRandomStore.getState().set({ notice: { text, tone: "info" } }),
      onRemoteStream: (stream) => useRandomStore.getState().set({ remoteStream: stream }),
      onState: (state) => {
        if (useRandomStore.getState().match?.matchId !== event.matchId) return;
        if (state === "connected") useRandomStore.getState().set({ phase: "connected" });
        if (state === "failed") useRandomStore.getState().set({ notice: { text: "The call could not connect. Press Next for another partner.", tone: "error" } });
      },
    });
    if (this.skipBlackVideo) {
      this.blackWatch = new BlackVideoWatch(
        () => useRandomStore.getState().remoteStream,
        async () => {
          await this.next();
          // after the press, which clears notices (unless it failed and said why)
          const store = useRandomStore.getState();
          if (!store.notice) store.set({ notice: { text: `Skipped ${event.partnerName}: their video stayed black for 10 s.`, tone: "info" } });
        },
      );
    }
  }

  private endCall(): void {
    this.blackWatch?.stop();
    this.blackWatch = null;
    this.call?.close();
    this.call = null;
    useRandomStore.getState().set({ remoteStream: null });
  }
}
