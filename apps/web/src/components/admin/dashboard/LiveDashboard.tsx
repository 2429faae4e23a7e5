"use client";

import { useEffect, useState } from "react";
import type { DashboardSnapshot } from "@qualmeet/api";
import { isPermanentError } from "@/lib/chat/api";
import { retryPauseMs } from "@/lib/keepTrying";
import { getRealtimeClient, useRealtimeStatus } from "@/lib/realtime";
import { MatchWaitChart } from "./MatchWaitChart";
import { ModeChart } from "./ModeChart";
import { NodesTable } from "./NodesTable";
import { Stat, StatCard } from "./Stat";
import { formatWait } from "./format";

/**
 * The dashboard, live: the server's first snapshot, then every one adminLive.dashboard pushes over the realtime
 * socket (the tRPC client resubscribes by itself when the socket comes back; a refused subscription is retried).
 */
export function LiveDashboard({ initial, realtimeUrl }: { initial: DashboardSnapshot | null; realtimeUrl: string }) {
  const [snapshot, setSnapshot] = useState(initial);
  const [live, setLive] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const [failures, setFailures] = useState(0);
  const status = useRealtimeStatus((s) => s.status);

  useEffect(() => {
    let retry: ReturnType<typeof setTimeout> | undefined;
    const sub = getRealtimeClient(realtimeUrl).adminLive.dashboard.subscribe(undefined, {
      onData: (next) => {
        setRefused(null);
        setLive(true);
        setSnapshot(next);
      },
      onError: (error) => {
        setLive(false);
        setRefused(error.message);
        if (!isPermanentError(error)) retry = setTimeout(() => setFailures((n) => n + 1), retryPauseMs(failures + 1));
      },
    });
    return () => {
      clearTimeout(retry);
      sub.unsubscribe();
    };
  }, [realtimeUrl, failures]);

  const connected = live && status === "open";
  return (
    <>
      <section className="card" aria-labelledby="admin-heading">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h1 id="admin-heading" className="text-2xl font-bold tracking-tight">
            Admin console
          </h1>
          <p role="status" data-testid="dashboard-feed" className={`text-sm font-medium ${connected ? "text-emerald-700" : "text-amber-700"}`}>
            {connected && snapshot
              ? `Live · updated ${new Date(snapshot.at).toLocaleTimeString()}`
              : refused
                ? `Live numbers unavailable: ${refused}`
                : status === "closed"
                  ? "Connection lost. Reconnecting…"
                  : "Connecting to the live numbers…"}
          </p>
        </div>
        {snapshot ? null : <p className="mt-4 text-sm text-slate-600">Loading the numbers…</p>}
      </section>
      {snapshot ? <Numbers snapshot={snapshot} /> : null}
    </>
  );
}

function Numbers({ snapshot: s }: { snapshot: DashboardSnapshot }) {
  const averageWait = s.matchWaits.count > 0 ? formatWait(s.matchWaits.sumSeconds / s.matchWaits.count) : "none yet";
  return (
    <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
      <StatCard title="Users">
        <Stat id="users-online" label="Online" value={s.usersOnline} />
        <Stat id="sockets" label="Open connections" value={s.sockets} />
      </StatCard>
      <StatCard title="Meetings" chart={<ModeChart meetings={s.meetings} participants={s.participants} />}>
        <Stat id="meetings-p2p" label="Meetings, P2P" value={s.meetings.P2P} />
        <Stat id="meetings-sfu" label="Meetings, SFU" value={s.meetings.SFU} />
        <Stat id="participants-p2p" label="Participants, P2P" value={s.participants.P2P} />
        <Stat id="participants-sfu" label="Participants, SFU" value={s.participants.SFU} />
      </StatCard>
      <StatCard title="Random chat" chart={<MatchWaitChart waits={s.matchWaits} />}>
        <Stat id="random-queue" label="Searching" value={s.randomQueue} />
        <Stat id="random-pairs" label="Active pairs" value={s.randomActivePairs} />
        <Stat id="random-matched" label="Matched people, last 15 min" value={s.matchWaits.count} />
        <Stat id="random-wait" label="Average wait, last 15 min" value={averageWait} />
      </StatCard>
      <StatCard title="Moderation and chat">
        <Stat id="reports-waiting" label="Reports waiting" value={s.reportsWaiting} />
        <Stat id="reports-oldest" label="Oldest report waiting" value={s.reportsWaiting > 0 ? formatWait(s.oldestReportWaitSeconds) : "none"} />
        <Stat id="chat-outbox" label="Chat messages not yet stored" value={s.chatOutboxBacklog} />
      </StatCard>
      <section className="card lg:col-span-2" aria-labelledby="turn-heading">
        <h2 id="turn-heading" className="text-lg font-semibold">
          TURN relay
        </h2>
        <p className="mt-2 text-sm" data-testid="turn-status">
          {s.turnConfigured ? (
            <>TURN relay: configured. Calls connect from behind firewalls and strict NATs.</>
          ) : (
            <>
              <strong>TURN is not configured.</strong> Calls work on a LAN, but people behind strict firewalls or NATs cannot connect: install coturn (`npm start` runs it) or set
              TURN_URLS and TURN_SECRET.
            </>
          )}
        </p>
      </section>
      <NodesTable nodes={s.nodes} />
    </div>
  );
}
