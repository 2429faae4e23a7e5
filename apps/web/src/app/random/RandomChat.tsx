"use client";

import { useEffect, useState } from "react";
import { Brand } from "@/components/Brand";
import { stopPreview } from "@/lib/media/devices";
import { getRealtimeClient } from "@/lib/realtime";
import { RandomSession } from "@/lib/random/session";
import { deviceId, hasConsented, loadPreferences, loadSkipBlack, savePreferences } from "@/lib/random/storage";
import { useRandomStore } from "@/lib/random/store";
import type { Preferences } from "@/lib/random/types";
import type { SessionUser } from "@/stores/session";
import { BanNotice } from "./BanNotice";
import { CallStage } from "./CallStage";
import { ConnectionPanel } from "./ConnectionPanel";
import { ConsentGate } from "./ConsentGate";
import { GuestName } from "./GuestName";
import { ModerationNotices } from "./ModerationNotices";
import { PreferencesForm } from "./PreferencesForm";
import { ReportBlock } from "./ReportBlock";

/** /random: the consent gate, preferences, Start/Next/Stop, the call with its chat, and the safety forms. */
export function RandomChat({ user, realtimeUrl, iceTransportPolicy }: { user: SessionUser | null; realtimeUrl: string; iceTransportPolicy: RTCIceTransportPolicy }) {
  const [session, setSession] = useState<RandomSession | null>(null);
  const [consented, setConsented] = useState<boolean | null>(null);
  const [preferences, setPreferences] = useState<Preferences | null>(null);

  // localStorage is read after mount: the server render knows none of it
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- browser storage exists after mount only
    setConsented(hasConsented());
    setPreferences(loadPreferences());
  }, []);

  // one session per person: a refresh of the server props (a new `user` object) keeps it
  const userId = user?.id ?? null;
  useEffect(() => {
    if (!userId) return;
    const created = new RandomSession(getRealtimeClient(realtimeUrl), deviceId(), iceTransportPolicy);
    created.setSkipBlackVideo(loadSkipBlack());
    created.open();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the session subscribes on the socket: browser only, once per user
    setSession(created);
    const removeTestHook = created.exposeTestHook();
    const onPageHide = () => created.close();
    window.addEventListener("pagehide", onPageHide);
    return () => {
      window.removeEventListener("pagehide", onPageHide);
      created.close();
      stopPreview();
      useRandomStore.getState().reset();
      removeTestHook();
    };
  }, [userId, realtimeUrl, iceTransportPolicy]);

  function changePreferences(next: Preferences) {
    setPreferences(next);
    savePreferences(next);
  }

  const ready = consented !== null && preferences !== null;
  return (
    <>
      <Brand width="full" />
      <main className="flex flex-col gap-6">
        <h1 className="text-2xl font-bold tracking-tight">Random chat</h1>
        {!ready ? null : !consented ? (
          <ConsentGate onAccept={() => setConsented(true)} />
        ) : !user ? (
          <GuestName />
        ) : !session ? null : (
          <>
            <ModerationNotices session={session} />
            <BanNotice session={session} />
            <ConnectionPanel
              session={session}
              preferences={preferences}
              onUseTextOnly={() => {
                stopPreview();
                const textOnly = { ...preferences, textOnly: true };
                changePreferences(textOnly);
                void session.searchAgain(textOnly);
              }}
            />
            <CallStage session={session} textOnly={preferences.textOnly} />
            <ReportBlock session={session} />
            <PreferencesForm session={session} preferences={preferences} onChange={changePreferences} />
          </>
        )}
      </main>
    </>
  );
}
