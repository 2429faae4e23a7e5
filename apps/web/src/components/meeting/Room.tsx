"use client";

import { useEffect, useState } from "react";
import { CopyLinkButton } from "@/components/CopyLinkButton";
import { MeetingChat } from "@/components/chat/MeetingChat";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { Controls } from "./Controls";
import { AccessControls, HostLobbyWatch, LobbyRequests, useAmHost } from "./HostLobby";
import { ListenTogether } from "./ListenTogether";
import { ParticipantList } from "./ParticipantList";
import { RemoteAudio } from "./RemoteAudio";
import { Topology } from "./Topology";
import { useMediaQuery } from "./useMediaQuery";
import { VideoGrid } from "./VideoGrid";

export type SidePanel = "participants" | "chat" | null;

/** The meeting room: a full-window stage with the video grid, the side panel and the controls. */
export function Room() {
  const meeting = useMeetingStore((s) => s.meeting);
  const wide = useMediaQuery("(min-width: 1024px)");
  const [panel, setPanel] = useState<SidePanel>(null);
  const setChatOpen = useChatStore((s) => s.setOpen);
  const showPeople = wide || panel === "participants";
  const showChat = wide || panel === "chat";
  const amHost = useAmHost();

  useEffect(() => setChatOpen(showChat), [showChat, setChatOpen]);

  return (
    <div className="fixed inset-0 z-20 flex flex-col bg-slate-950 text-slate-100">
      <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-white/10 px-4 py-2">
        <h1 className="min-w-0 truncate text-base font-semibold sm:text-lg">{meeting?.title ?? "Meeting"}</h1>
        <span className="font-mono text-sm tracking-wider text-slate-400">{meeting?.code}</span>
        <ConnectionStatus />
        <Topology />
        <div className="ml-auto flex items-center gap-2">
          {meeting ? <CopyLinkButton path={`/m/${meeting.code}`} /> : null}
          <ListenTogether />
        </div>
      </header>
      <div className="relative flex min-h-0 flex-1">
        <main className="flex min-w-0 flex-1 flex-col p-2 sm:p-3" aria-label="Videos">
          <VideoGrid />
        </main>
        {showPeople || showChat ? (
          <aside
            aria-label="Participants and chat"
            className={
              wide
                ? "flex w-80 shrink-0 flex-col border-l border-white/10 bg-slate-900"
                : "absolute inset-y-0 right-0 z-10 flex w-full max-w-sm flex-col border-l border-white/10 bg-slate-900 shadow-2xl"
            }
          >
            {showPeople && amHost ? <AccessControls /> : null}
            {showPeople ? <ParticipantList grow={!showChat} /> : null}
            {showChat ? <MeetingChat /> : null}
          </aside>
        ) : null}
      </div>
      <Controls wide={wide} panel={panel} setPanel={setPanel} />
      <RemoteAudio />
      <NoticeToast />
      {amHost ? (
        <>
          <HostLobbyWatch />
          <LobbyRequests />
        </>
      ) : null}
    </div>
  );
}

function ConnectionStatus() {
  const connection = useMeetingStore((s) => s.connection);
  const dot = connection === "Connected" ? "bg-emerald-400" : connection === "Reconnecting" ? "bg-amber-400 animate-pulse" : "bg-slate-400 animate-pulse";
  return (
    <span className="flex items-center gap-1.5 text-sm text-slate-300">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot}`} />
      <span role="status" id="connection-state">
        {connection}
      </span>
    </span>
  );
}

function NoticeToast() {
  const notice = useMeetingStore((s) => s.notice);
  const dismiss = useMeetingStore((s) => s.dismissNotice);
  useEffect(() => {
    if (!notice) return;
    // what went wrong (a device that failed, and what to do) stays long enough to be read
    const timer = setTimeout(() => dismiss(notice.id), notice.tone === "error" ? 15_000 : 6000);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  return (
    <div className="pointer-events-none absolute inset-x-0 top-14 z-30 flex justify-center px-4">
      <div role="alert" className="contents">
        {notice ? (
          <p className={`pointer-events-auto rounded-lg px-4 py-2 text-sm font-medium shadow-lg ${notice.tone === "error" ? "bg-red-600 text-white" : "bg-white text-slate-900"}`}>
            {notice.text}
          </p>
        ) : null}
      </div>
    </div>
  );
}
