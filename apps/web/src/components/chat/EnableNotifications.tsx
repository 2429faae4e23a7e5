"use client";

import { useEffect, useState } from "react";

/** Asks for browser notifications (calls and messages while the tab is hidden) until the user has decided. */
export function EnableNotifications() {
  const [permission, setPermission] = useState<NotificationPermission | "unsupported">("unsupported");
  useEffect(() => {
    setPermission(typeof Notification === "undefined" ? "unsupported" : Notification.permission);
  }, []);
  if (permission !== "default") return null;
  return (
    <button
      type="button"
      className="link px-3 pt-2 text-left text-xs"
      onClick={() => void Notification.requestPermission().then(setPermission, () => setPermission("denied"))}
    >
      Turn on notifications for calls and messages
    </button>
  );
}
