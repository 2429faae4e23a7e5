// How the user learns about calls and messages while looking elsewhere: a ringtone made with WebAudio (no
// sound file), a browser notification when the tab is hidden and the user allowed them, and toasts.
import { useConversationStore } from "@/stores/chat";
import type { CallInfo, ChatMessage } from "./types";

let ringing: { context: AudioContext; timer: ReturnType<typeof setInterval> } | null = null;

/** A two-tone ring, 1 s on and 2 s off, until stopRinging(). Silent when the browser blocks audio. */
export function startRinging(): void {
  if (ringing || typeof window === "undefined" || typeof AudioContext === "undefined") return;
  let context: AudioContext;
  try {
    context = new AudioContext();
  } catch {
    return;
  }
  const ring = () => {
    if (context.state === "suspended") void context.resume().catch(() => undefined);
    const start = context.currentTime;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(0.15, start + 0.05);
    gain.gain.setValueAtTime(0.15, start + 0.95);
    gain.gain.linearRampToValueAtTime(0, start + 1);
    gain.connect(context.destination);
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start(start);
      oscillator.stop(start + 1);
    }
  };
  ring();
  ringing = { context, timer: setInterval(ring, 3000) };
}

export function stopRinging(): void {
  if (!ringing) return;
  clearInterval(ringing.timer);
  void ringing.context.close().catch(() => undefined);
  ringing = null;
}

const hidden = () => typeof document !== "undefined" && document.visibilityState === "hidden";
const notificationsAllowed = () => typeof Notification !== "undefined" && Notification.permission === "granted";

function notify(title: string, body: string, tag: string, onClick: () => void): void {
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      onClick();
      notification.close();
    };
  } catch {
    // some browsers only allow notifications from a service worker: the in-page alert is enough
  }
}

export function notifyCall(call: CallInfo): void {
  if (!hidden() || !notificationsAllowed()) return;
  const what = call.kind === "VIDEO" ? "Video call" : "Call";
  notify(`${what} from ${call.from.name}`, call.conversationTitle, `call-${call.id}`, () => undefined);
}

/** A new message in a conversation that is not on screen: a toast, and a notification when the tab is hidden. */
export function notifyMessage(message: ChatMessage, conversationTitle: string, isOpenConversation: boolean): void {
  const text = message.body.length > 140 ? `${message.body.slice(0, 140)}…` : message.body;
  const title = conversationTitle === message.sender.name ? message.sender.name : `${message.sender.name} in ${conversationTitle}`;
  if (hidden()) {
    if (notificationsAllowed()) notify(title, text, `conversation-${message.conversationId}`, () => openConversationPage(message.conversationId));
    return;
  }
  if (!isOpenConversation) useConversationStore.getState().pushToast({ conversationId: message.conversationId, title, text });
}

export function openConversationPage(conversationId: string): void {
  window.location.assign(`/chat?c=${encodeURIComponent(conversationId)}`);
}
