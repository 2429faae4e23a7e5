"use client";

// "Listen together": someone shares an audio or video link, and one timeline (play/pause/position) is kept
// for everyone through `room.playback` and the room's `playback` events (the media engine keeps the latest in
// the meeting store: room.join's `playback`, so a late joiner starts where everyone is, then each event).
//
// The shared timeline is { url, playing, position at a moment }. Whoever acts on the player sends a new
// timeline; everyone else applies it, compensating the network delay with the event's `sentAt` (the server's
// clock, mapped to ours with the offset measured on our own calls). Echo loops are avoided twice over: our own
// events are ignored (byPeerId), and a player event (play/pause/seeked) that agrees with the shared timeline
// (because we applied it) is not sent again. A periodic check seeks whenever the player is more than 0.3 s
// off the timeline, and nudges the playback rate (±8 %) for a smaller drift over 0.05 s. Remote events that
// the server ordered before one of ours are stale and dropped.
//
// Who shares: the host, or everyone once the host allows it (room.setPlaybackAllowed); the others' players follow.
// Nothing is fetched from a shared link (another site, which would learn who is in the meeting) before the person
// presses "Play shared media": until then there is no media element. The sharer plays at once (they chose the link).
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { errorMessage } from "@qualmeet/client";
import { getRealtimeClient } from "@/lib/realtime";
import { useMeetingStore, type PlaybackState } from "@/stores/meeting";
import { useSessionStore } from "@/stores/session";

/** Seek when the player is further than this from the shared timeline (seconds). */
const MAX_DRIFT_S = 0.3;
/** Below MAX_DRIFT_S, a drift over this is caught up by playing slightly faster or slower (seconds). */
const FINE_DRIFT_S = 0.05;
const NUDGE = 0.08;
/** How often the drift is checked while playing (ms). */
const CHECK_MS = 500;
/** A player event this close to the timeline is one we applied, not the user's (seconds). */
const OWN_CHANGE_TOLERANCE_S = 0.75;

interface Timeline {
  url: string | null;
  playing: boolean;
  position: number;
  /** our clock (ms) at which the media was at `position` */
  at: number;
  /** the server's sentAt (ms), to order timelines; Infinity for one of ours still on its way */
  serverAt: number;
}

const VIDEO_EXT = /\.(mp4|m4v|webm|ogv|mov|mkv)(?:$|[?#])/i;

/** Where the media should be now, on the timeline. */
function expectedPosition(t: Timeline, now = Date.now()): number {
  return t.playing ? t.position + Math.max(0, now - t.at) / 1000 : t.position;
}

function validLink(text: string): string | null {
  try {
    const url = new URL(text.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : null;
  } catch {
    return null;
  }
}

export function ListenTogether() {
  const meetingId = useMeetingStore((s) => s.meeting?.id ?? null);
  const selfPeerId = useMeetingStore((s) => s.selfPeerId);
  const shared = useMeetingStore((s) => s.playback);
  const isHost = useMeetingStore((s) => !!(s.selfPeerId && s.participants[s.selfPeerId]?.isHost));
  const canControl = useMeetingStore((s) => s.playbackAllowed) || isHost;
  const playbackAllowed = useMeetingStore((s) => s.playbackAllowed);
  const realtimeUrl = useSessionStore((s) => s.realtimeUrl);
  const panelId = useId();
  const linkId = useId();

  const [open, setOpen] = useState(false);
  const [link, setLink] = useState("");
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [blocked, setBlocked] = useState(false);
  const [sending, setSending] = useState(false);
  /** the link this person chose to load (pressed play, or shared it): only then does the player exist */
  const [listeningTo, setListeningTo] = useState<string | null>(null);
  const listening = !!url && listeningTo === url;

  const mediaRef = useRef<HTMLMediaElement | null>(null);
  const timeline = useRef<Timeline | null>(null);
  /** server clock minus ours (ms), measured on our own room.playback calls */
  const clockOffset = useRef(0);
  /** round trip of our last room.playback call (ms) */
  const roundTrip = useRef(0);
  /** our room.playback calls on their way (remote events meanwhile were ordered before ours) */
  const pendingOwn = useRef(0);
  /** the server time of our latest timeline */
  const lastOwnServerAt = useRef(0);
  const settleUntil = useRef(0);

  // ---- applying the timeline to the player ---------------------------------------------------------------

  const sync = useCallback(() => {
    const el = mediaRef.current;
    const t = timeline.current;
    if (!el || !t?.url || el.readyState < HTMLMediaElement.HAVE_METADATA || el.seeking) return;
    let target = expectedPosition(t);
    if (Number.isFinite(el.duration)) target = Math.min(target, el.duration);
    const behind = target - el.currentTime;
    if (Math.abs(behind) > MAX_DRIFT_S) {
      el.playbackRate = 1;
      if (Date.now() >= settleUntil.current) {
        el.currentTime = target;
        // give the seek time to land before judging the drift again
        settleUntil.current = Date.now() + 1000;
      }
    } else {
      // a small drift is caught up smoothly: a little faster or slower, no seek (no audible jump)
      el.playbackRate = t.playing && Math.abs(behind) > FINE_DRIFT_S ? (behind > 0 ? 1 + NUDGE : 1 - NUDGE) : 1;
    }
    if (t.playing && el.paused && !(el.ended && target >= el.duration)) {
      el.play().then(
        () => setBlocked(false),
        (e: unknown) => {
          if (e instanceof DOMException && e.name === "NotAllowedError") setBlocked(true);
        },
      );
    } else if (!t.playing && !el.paused) {
      el.pause();
    }
  }, []);

  /** Takes a timeline (from an event, the join result or ourselves) and shows it. */
  const adopt = useCallback(
    (next: Timeline) => {
      // something new is shared: show it
      if (next.url && next.url !== timeline.current?.url) setOpen(true);
      timeline.current = next;
      settleUntil.current = 0;
      setUrl(next.url);
      if (!next.url) setBlocked(false);
      sync();
    },
    [sync],
  );

  const fromState = useCallback((p: PlaybackState): Timeline => {
    const serverAt = Date.parse(p.sentAt);
    // never in the future (clock skew before we measured the offset)
    const at = Math.min(serverAt - clockOffset.current, Date.now());
    return { url: p.url, playing: p.playing, position: p.position, at, serverAt };
  }, []);

  // ---- the room's timeline: room.join's `playback`, then each `playback` event ------------------------------

  useEffect(() => {
    if (!shared || !selfPeerId) return;
    // ours (already applied), or ordered before one of ours (ours wins)
    if (shared.byPeerId === selfPeerId || pendingOwn.current > 0 || Date.parse(shared.sentAt) < lastOwnServerAt.current) return;
    // nothing newer than what we show (the same timeline again)
    if (timeline.current && Date.parse(shared.sentAt) <= timeline.current.serverAt) return;
    adopt(fromState(shared));
  }, [shared, selfPeerId, adopt, fromState]);

  // the browser wants a click before playing: show the button for it (once each time playback gets blocked)
  const [wasBlocked, setWasBlocked] = useState(blocked);
  if (blocked !== wasBlocked) {
    setWasBlocked(blocked);
    if (blocked) setOpen(true);
  }

  // test hook (only in the build tests make, next.config.ts): where the shared timeline says the media is now
  useEffect(() => {
    if (process.env.QUALMEET_TEST_HOOKS !== "1") return;
    const w = window as unknown as { __listenTogether?: { expected(): number | null } };
    w.__listenTogether = { expected: () => (timeline.current?.url ? expectedPosition(timeline.current) : null) };
    return () => void delete w.__listenTogether;
  }, []);

  // periodic drift correction
  useEffect(() => {
    if (!url) return;
    const timer = setInterval(() => {
      if (timeline.current?.playing) sync();
    }, CHECK_MS);
    return () => clearInterval(timer);
  }, [url, sync]);

  // ---- sending ours ----------------------------------------------------------------------------------------

  const send = useCallback(
    async (next: { url: string | null; playing: boolean; position: number }): Promise<boolean> => {
      if (!meetingId || !selfPeerId || !realtimeUrl) return false;
      const t0 = Date.now();
      const previous = timeline.current;
      // ours at once (the player already shows it)
      timeline.current = { ...next, at: t0, serverAt: Infinity };
      pendingOwn.current++;
      try {
        // The server stamps sentAt when the call reaches it, half a round trip after we sampled the position:
        // send where the media will be by then.
        const lead = next.playing ? Math.min(roundTrip.current, 1000) / 2000 : 0;
        const res = await getRealtimeClient(realtimeUrl).room.playback.mutate({ meetingId, peerId: selfPeerId, ...next, position: next.position + lead });
        const t1 = Date.now();
        const serverAt = Date.parse(res.sentAt);
        clockOffset.current = serverAt - (t0 + t1) / 2;
        roundTrip.current = t1 - t0;
        lastOwnServerAt.current = Math.max(lastOwnServerAt.current, serverAt);
        if (timeline.current && timeline.current.at === t0) timeline.current = { ...timeline.current, serverAt };
        useMeetingStore.getState().setPlayback(res);
        setError(null);
        return true;
      } catch (e) {
        if (timeline.current?.at === t0) timeline.current = previous;
        setError(errorMessage(e, "Could not share this."));
        sync();
        return false;
      } finally {
        pendingOwn.current--;
      }
    },
    [meetingId, selfPeerId, realtimeUrl, sync],
  );

  async function share(event: React.FormEvent) {
    event.preventDefault();
    const href = validLink(link);
    if (!href) {
      setError("Enter a valid http(s) link to an audio or video file.");
      return;
    }
    setSending(true);
    setError(null);
    setListeningTo(href);
    const next = { url: href, playing: true, position: 0 };
    // show it here at once: Share is a click, so our own player may start with sound
    const ok = await send(next);
    setSending(false);
    if (ok) {
      setLink("");
      adopt(timeline.current ?? { ...next, at: Date.now(), serverAt: Infinity });
    }
  }

  async function stop() {
    await send({ url: null, playing: false, position: 0 });
    adopt({ url: null, playing: false, position: 0, at: Date.now(), serverAt: lastOwnServerAt.current });
  }

  // ---- the player's own events: the user's play/pause/seek go to everyone ---------------------------------

  /**
   * A play, pause or seek on the player. Those that agree with the shared timeline are ours (we applied it,
   * or the user started a blocked player): only a real change of state or position goes to everyone.
   */
  const onUserChange = (e: React.SyntheticEvent<HTMLMediaElement>) => {
    const el = e.currentTarget;
    const t = timeline.current;
    if (!t?.url || el.seeking) return;
    if (e.type === "play") {
      setBlocked(false);
      // someone who may not control it plays along with the others (a paused timeline pauses them again)
      if (t.playing || !canControl) return sync();
      void send({ url: t.url, playing: true, position: el.currentTime });
    } else if (e.type === "pause") {
      // everyone reaches the end by themselves
      if (!t.playing || el.ended) return;
      // someone who may not control it stops listening, here only (the player goes; "Play" brings it back)
      if (!canControl) return setListeningTo(null);
      void send({ url: t.url, playing: false, position: el.currentTime });
    } else {
      if (!canControl) return;
      let expected = expectedPosition(t);
      if (Number.isFinite(el.duration)) expected = Math.min(expected, el.duration);
      if (Math.abs(el.currentTime - expected) < OWN_CHANGE_TOLERANCE_S) return;
      void send({ url: t.url, playing: t.playing, position: el.currentTime });
    }
  };

  const onMediaError = (e: React.SyntheticEvent<HTMLMediaElement>) => {
    const code = e.currentTarget.error?.code;
    setError(
      code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED
        ? "This link could not be played: it is not an audio or video file this browser can play, or it could not be loaded."
        : "This link could not be played.",
    );
  };

  /** "Play shared media": the person chose to load the link; the player appears and joins the timeline. */
  function listen() {
    // the player exists at once, inside the click: the browser lets it start with sound
    flushSync(() => setListeningTo(url));
    if (timeline.current?.playing) void startPlayback();
    else sync();
  }

  async function setEveryoneMayShare(allowed: boolean) {
    if (!meetingId || !selfPeerId || !realtimeUrl) return;
    // the box follows the click at once; the server's event confirms it, a refusal puts it back
    const store = useMeetingStore.getState();
    store.setPlaybackAllowed(allowed);
    try {
      await getRealtimeClient(realtimeUrl).room.setPlaybackAllowed.mutate({ meetingId, peerId: selfPeerId, allowed });
      setError(null);
    } catch (e) {
      store.setPlaybackAllowed(!allowed);
      setError(errorMessage(e, "Could not change who may share."));
    }
  }

  async function startPlayback() {
    const el = mediaRef.current;
    const t = timeline.current;
    if (!el || !t) return;
    try {
      // from where everyone is now, not from where the blocked player stopped
      const expected = expectedPosition(t);
      if (Math.abs(el.currentTime - expected) > MAX_DRIFT_S) el.currentTime = Number.isFinite(el.duration) ? Math.min(expected, el.duration) : expected;
      await el.play();
      setBlocked(false);
      sync();
    } catch (e) {
      setError(errorMessage(e, "The browser would not start playback."));
    }
  }

  const isVideo = !!url && VIDEO_EXT.test(url);
  const mediaProps = {
    ref: (el: HTMLMediaElement | null) => {
      mediaRef.current = el;
    },
    src: url ?? undefined,
    controls: true,
    preload: "auto" as const,
    "aria-label": "Shared media",
    onLoadedMetadata: () => {
      setError(null);
      sync();
    },
    onPlay: onUserChange,
    onPause: onUserChange,
    onSeeked: onUserChange,
    onError: onMediaError,
    className: "w-full",
  };

  return (
    <>
      <button type="button" className="btn-secondary" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
        Listen together
        {url ? <span aria-hidden="true" className="h-2 w-2 rounded-full bg-emerald-500" /> : null}
      </button>
      {/* hidden, not unmounted, while closed: the shared media keeps playing */}
      <section
        id={panelId}
        hidden={!open}
        aria-labelledby={`${panelId}-title`}
        className="absolute right-2 top-14 z-30 w-[min(24rem,calc(100vw-1rem))] rounded-xl border border-white/10 bg-slate-900 p-4 text-slate-100 shadow-2xl"
      >
        <div className="flex items-center justify-between gap-2">
          <h2 id={`${panelId}-title`} className="text-base font-semibold">
            Listen together
          </h2>
          <button type="button" className="text-sm text-slate-300 hover:text-white" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
        <p className="mt-1 text-sm text-slate-400">
          {canControl
            ? "Share a link to an audio or video file: it plays for everyone, in sync."
            : "Only the host shares media here: it plays for everyone who presses play, in sync."}
        </p>
        {isHost ? (
          <label className="mt-2 flex items-center gap-2 text-sm text-slate-300">
            <input type="checkbox" checked={playbackAllowed} onChange={(e) => void setEveryoneMayShare(e.target.checked)} />
            Let everyone share and control
          </label>
        ) : null}
        {canControl ? (
          <form className="mt-3 flex gap-2" onSubmit={(e) => void share(e)} noValidate>
            <div className="min-w-0 flex-1">
              <label htmlFor={linkId} className="sr-only">
                Media link
              </label>
              <input
                id={linkId}
                type="url"
                inputMode="url"
                placeholder="https://example.com/song.mp3"
                className="block w-full rounded-lg border border-white/20 bg-slate-800 px-3 py-2 text-sm text-slate-100 placeholder:text-slate-500"
                value={link}
                onChange={(e) => setLink(e.target.value)}
                aria-invalid={!!error && !url}
              />
            </div>
            <button type="submit" className="btn-primary" disabled={sending || !link.trim()} aria-busy={sending}>
              Share
            </button>
          </form>
        ) : null}
        {error ? (
          <p role="alert" className="alert-error mt-3">
            {error}
          </p>
        ) : null}
        {url && !listening ? (
          <div className="mt-3 flex flex-col gap-1">
            <button type="button" className="btn-primary" onClick={listen}>
              Play shared media
            </button>
            <p className="text-xs text-slate-400">It loads from {new URL(url).host}, which then sees your address.</p>
          </div>
        ) : null}
        {url && listening ? (
          <div className="mt-3 flex flex-col gap-2">
            {isVideo ? <video key={url} {...mediaProps} playsInline /> : <audio key={url} {...mediaProps} />}
            <div className="flex items-center gap-2">
              {blocked ? (
                <button type="button" className="btn-primary" onClick={() => void startPlayback()}>
                  Click to start playback
                </button>
              ) : null}
              {canControl ? (
                <button type="button" className="ml-auto text-sm text-slate-300 hover:text-white" onClick={() => void stop()}>
                  Stop sharing
                </button>
              ) : null}
            </div>
          </div>
        ) : null}
      </section>
    </>
  );
}
