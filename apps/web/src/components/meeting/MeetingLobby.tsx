"use client";

import { useEffect } from "react";
import { stopAsking } from "@/lib/media/admission";
import { stopPreview } from "@/lib/media/devices";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { useSessionStore, type SessionUser } from "@/stores/session";
import { getEngine, setEngine } from "./engineRef";
import { MeetingOver } from "./MeetingOver";
import { PreJoin, type AutoJoin, type LobbyMeeting } from "./PreJoin";
import { Room } from "./Room";

/** /m/<code>: the pre-join screen (and the lobby), then the room, then what comes after (left, ended, removed, not let in). */
export function MeetingLobby({
  code,
  realtimeUrl,
  iceTransportPolicy,
  user,
  meeting,
  autoJoin = null,
}: {
  code: string;
  realtimeUrl: string;
  /** ICE_TRANSPORT_POLICY: "relay" makes every connection of this page go through TURN */
  iceTransportPolicy: RTCIceTransportPolicy;
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
    // waiting in the lobby too: the host no longer sees someone who left
    const onPageHide = () => {
      stopAsking();
      getEngine()?.leaveNow();
    };
    window.addEventListener("pagehide", onPageHide);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      stopAsking();
      getEngine()?.leaveNow();
      setEngine(null);
      stopPreview();
      useMeetingStore.getState().reset();
      useChatStore.getState().reset();
    };
  }, [code]);

  if (phase === "joined") return <Room />;
  if (phase === "left" || phase === "ended" || phase === "removed" || phase === "denied") return <MeetingOver />;
  return <PreJoin code={code} realtimeUrl={realtimeUrl} iceTransportPolicy={iceTransportPolicy} user={user} meeting={meeting} autoJoin={autoJoin} />;
}
