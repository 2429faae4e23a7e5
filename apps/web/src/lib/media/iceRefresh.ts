// TURN credentials expire (TURN_CREDENTIAL_TTL_S on the server): fresh ones are fetched in the background at 3/4 of
// the life the server gave the last ones and applied to the connections in place (the engine's `apply`:
// setConfiguration on mesh connections, updateIceServers on SFU transports), so a call never drops for it.
// The server's notice that today's relay allowance is used up is shown once per meeting.
// A page can still hold credentials past that point (a frozen tab or a sleeping laptop runs no timers, a fetch can
// fail): a connection in trouble then asks for fresh ones first (`ensureFresh`), because an ICE restart through TURN
// with expired credentials is refused by the TURN server.

import type { IceServersGrant } from "./signaling";

/** Refresh at 3/4 of the credential's life (TURN_CREDENTIAL_TTL_S is at least 60 s), never more often than every 30 s. */
export const iceRefreshDelayMs = (expiresInS: number): number => Math.max(30_000, expiresInS * 750);
/** After a failed fetch the credentials in use are still valid for a quarter of their life: try again soon. */
export const ICE_RETRY_MS = 60_000;

export class IceRefresh {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private noticeShown = false;
  private closed = false;
  /** when the credentials in use are due for replacement (epoch ms) */
  private dueAt = Number.POSITIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      fetch(): Promise<IceServersGrant>;
      apply(iceServers: RTCIceServer[]): Promise<void>;
      notify(text: string): void;
    },
  ) {}

  /** The ICE servers of a join (or rejoin) are in use: the next fetch is due at 3/4 of their life. */
  start(grant: IceServersGrant): void {
    this.noticeOnce(grant.relayNotice);
    this.scheduleFrom(grant);
  }

  /** Fetches fresh ICE servers and applies them to every connection; the next fetch follows from their life. */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchAndApply().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Before reconnecting: replaces credentials that are past their refresh time (they may have expired). */
  async ensureFresh(): Promise<void> {
    if (Date.now() >= this.dueAt) await this.refresh();
  }

  private async fetchAndApply(): Promise<void> {
    this.clearTimer();
    let grant: IceServersGrant;
    try {
      grant = await this.deps.fetch();
    } catch (error) {
      console.warn(`[media] ICE server refresh failed, trying again in ${ICE_RETRY_MS / 1000}s`, error);
      this.schedule(ICE_RETRY_MS);
      return;
    }
    this.noticeOnce(grant.relayNotice);
    if (this.closed) return;
    this.scheduleFrom(grant);
    await this.deps.apply(grant.iceServers);
  }

  /** The meeting is left: no more fetches. */
  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleFrom(grant: IceServersGrant): void {
    const delayMs = iceRefreshDelayMs(grant.expiresInS);
    this.dueAt = Date.now() + delayMs;
    this.schedule(delayMs);
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (this.closed) return;
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  private noticeOnce(notice: string | null): void {
    if (!notice || this.noticeShown) return;
    this.noticeShown = true;
    this.deps.notify(notice);
  }
}
