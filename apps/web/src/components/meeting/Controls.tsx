"use client";

import { useState } from "react";
import { deviceProblem, openCamera, openScreen } from "@/lib/media/devices";
import { errorMessage } from "@qualmeet/client";
import { useChatStore } from "@/stores/chat";
import { useMeetingStore } from "@/stores/meeting";
import { useEngine } from "./engineRef";
import type { SidePanel } from "./Room";

const base = "btn ring-1 ring-inset sm:min-w-[7.5rem]";
const neutral = `${base} bg-slate-800 text-slate-100 ring-white/15 hover:bg-slate-700`;
const off = `${base} bg-red-600/90 text-white ring-red-400/40 hover:bg-red-600`;
const on = `${base} bg-indigo-600 text-white ring-indigo-400/40 hover:bg-indigo-500`;

export function Controls({ wide, panel, setPanel }: { wide: boolean; panel: SidePanel; setPanel: (p: SidePanel) => void }) {
  const engine = useEngine();
  const local = useMeetingStore((s) => s.local);
  const isHost = useMeetingStore((s) => !!(s.selfPeerId && s.participants[s.selfPeerId]?.isHost));
  const unread = useChatStore((s) => s.unread);
  const [busy, setBusy] = useState<string | null>(null);
  const micMuted = local.micMuted || !local.mic;

  async function run(what: string, action: () => Promise<void>) {
    if (!engine || busy === what) return;
    setBusy(what);
    try {
      await action();
    } catch (error) {
      const name = error instanceof DOMException ? error.name : "";
      // the user closed the screen picker: nothing to say
      if (what === "screen" && name === "NotAllowedError") return;
      const device = what === "mic" ? "microphone" : what === "camera" ? "camera" : null;
      useMeetingStore.getState().notify(device && error instanceof DOMException ? deviceProblem(device, error) : errorMessage(error), "error");
    } finally {
      setBusy(null);
    }
  }

  return (
    <footer className="border-t border-white/10 bg-slate-900 px-3 py-3">
      <div role="toolbar" aria-label="Meeting controls" className="flex flex-wrap items-center justify-center gap-2">
        <button type="button" className={micMuted ? off : neutral} disabled={busy === "mic"} onClick={() => void run("mic", () => engine!.setMicMuted(!micMuted))}>
          {micMuted ? "Unmute" : "Mute"}
        </button>
        <button
          type="button"
          className={local.camera ? neutral : off}
          disabled={busy === "camera"}
          onClick={() => void run("camera", async () => (local.camera ? engine!.stopCamera() : engine!.startCamera(await openCamera())))}
        >
          {local.camera ? "Stop camera" : "Start camera"}
        </button>
        <button
          type="button"
          className={local.screen ? on : neutral}
          disabled={busy === "screen"}
          onClick={() =>
            void run("screen", async () => {
              if (local.screen) return engine!.stopScreenShare();
              if (!navigator.mediaDevices?.getDisplayMedia) throw new Error("Screen sharing is not available in this browser.");
              await engine!.startScreenShare(await openScreen());
            })
          }
        >
          {local.screen ? "Stop sharing" : "Share screen"}
        </button>
        {wide ? null : (
          <>
            <button
              type="button"
              className={panel === "participants" ? on : neutral}
              aria-expanded={panel === "participants"}
              onClick={() => setPanel(panel === "participants" ? null : "participants")}
            >
              People
            </button>
            <button type="button" className={panel === "chat" ? on : neutral} aria-expanded={panel === "chat"} onClick={() => setPanel(panel === "chat" ? null : "chat")}>
              Chat
              {unread > 0 ? (
                <span className="rounded-full bg-white px-1.5 text-xs text-indigo-700">
                  {unread}
                  <span className="sr-only"> unread</span>
                </span>
              ) : null}
            </button>
          </>
        )}
        <button
          type="button"
          className={`${base} bg-red-600 text-white ring-red-400/40 hover:bg-red-700`}
          disabled={busy === "leave"}
          onClick={() => void run("leave", () => engine!.leave())}
        >
          Leave
        </button>
        {isHost ? (
          <button
            type="button"
            className={`${base} bg-transparent text-red-300 ring-red-400/50 hover:bg-red-500/20`}
            disabled={busy === "end"}
            onClick={() => {
              if (window.confirm("End this meeting for everyone?")) void run("end", () => engine!.endMeeting());
            }}
          >
            End meeting
          </button>
        ) : null}
      </div>
    </footer>
  );
}
