"use client";

import { useEffect } from "react";
import { stopPreview } from "@/lib/media/devices";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { useSessionStore, type SessionUser } from "@/stores/session";
import { getEngine, setEngine } from "./engineRef";
import { MeetingOver } from "./MeetingOver";
import { PreJoin, type AutoJoin, type LobbyMeeting } from "./PreJoin";
import { Room } from "./Room";

/** /m/<code>: the pre-join screen, then the room, then what comes after (left, ended, removed). */
export function MeetingLobby({
  code,
  realtimeUrl,
  user,
  meeting,
  autoJoin = null,
}: {
  code: string;
  realtimeUrl: string;
  user: SessionUser | null;
  meeting: LobbyMeeting | null;
  autoJoin?: AutoJoin;
}) {
  const phase = useMeetingStore((s) => s.phase);

  useEffect(() => {
    useSessionStore.getState().setSession(user, realtimeUrl);
  }, [user, realtimeUrl]);

  // leaving the page (client navigation or closing the tab) leaves the meeting
  useEffect(() => {
    const onPageHide = () => getEngine()?.leaveNow();
    window.addEventListener("pagehide", onPageHide);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      getEngine()?.leaveNow();
      setEngine(null);
      stopPreview();
      useMeetingStore.getState().reset();
      useChatStore.getState().reset();
    };
  }, [code]);

  if (phase === "joined") return <Room />;
  if (phase === "left" || phase === "ended" || phase === "removed") return <MeetingOver />;
  return <PreJoin code={code} realtimeUrl={realtimeUrl} user={user} meeting={meeting} autoJoin={autoJoin} />;
}
