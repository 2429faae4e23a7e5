// What the lobby and removal integration tests share: a page asking to join (`lobby.knock`), the host's lobby
// panel (`lobby.watch`) and a participant's room events, each collecting what arrives for the test to wait on.
import { expect } from "vitest";
import type { HostLobbyView, KnockState, MeetingEvent } from "@qualmeet/api";
import type { RealtimeConnection } from "../../../tests/harness/clients.ts";

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A page asking to join: the states it was told, the refusal if any, and whether the server ended it. */
export function knocking(connection: RealtimeConnection, code: string) {
  const states: KnockState[] = [];
  let refusal: string | null = null;
  let completed = false;
  const sub = connection.client.lobby.knock.subscribe(
    { code },
    { onData: (state) => void states.push(state), onError: (error) => void (refusal = messageOf(error)), onComplete: () => void (completed = true) },
  );
  return {
    sub,
    states,
    refusal: () => refusal,
    completed: () => completed,
    /** waits until the page was told `state` (or refused, which fails the wait naming the refusal) */
    async told(state: KnockState["state"]) {
      await expect.poll(() => refusal ?? states.map((s) => s.state).join(","), { timeout: 15_000 }).toMatch(new RegExp(`(^|,)${state}$`));
      return states.at(-1)!;
    },
  };
}

/** The host's lobby panel: each view it was shown. */
export function lobbyPanel(connection: RealtimeConnection, code: string) {
  const views: HostLobbyView[] = [];
  const sub = connection.client.lobby.watch.subscribe({ code }, { onData: (view) => void views.push(view) });
  return {
    sub,
    views,
    /** waits for the panel to show a view matching `check` */
    async shows(check: (view: HostLobbyView) => boolean) {
      await expect.poll(() => views.some(check), { timeout: 15_000 }).toBe(true);
      return views.findLast(check)!;
    },
  };
}

/** A participant's room events as they arrive. */
export function roomEvents(connection: RealtimeConnection, meetingId: string, peerId: string, lastEventId?: string) {
  const seen: MeetingEvent[] = [];
  let ended = false;
  const sub = connection.client.room.events.subscribe({ meetingId, peerId, lastEventId }, { onData: ({ data }) => void seen.push(data), onComplete: () => void (ended = true) });
  return {
    sub,
    seen,
    ended: () => ended,
    async saw<T extends MeetingEvent["type"]>(type: T, where: (e: Extract<MeetingEvent, { type: T }>) => boolean = () => true) {
      await expect.poll(() => seen.some((e) => e.type === type && where(e as Extract<MeetingEvent, { type: T }>)), { timeout: 15_000 }).toBe(true);
    },
  };
}
