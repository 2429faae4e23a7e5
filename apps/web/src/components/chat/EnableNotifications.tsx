"use client";

import { useState, useSyncExternalStore } from "react";

const neverChanges = () => () => undefined;
const browserPermission = (): NotificationPermission | "unsupported" => (typeof Notification === "undefined" ? "unsupported" : Notification.permission);

/** Asks for browser notifications (calls and messages while the tab is hidden) until the user has decided. */
export function EnableNotifications() {
  // what the browser says now (nothing on the server), then what the user chose here
  const current = useSyncExternalStore(neverChanges, browserPermission, () => "unsupported" as const);
  const [chosen, setChosen] = useState<NotificationPermission | null>(null);
  const permission = chosen ?? current;
  if (permission !== "default") return null;
  return (
    <button type="button" className="link px-3 pt-2 text-left text-xs" onClick={() => void Notification.requestPermission().then(setChosen, () => setChosen("denied"))}>
      Turn on notifications for calls and messages
    </button>
  );
}
