"use client";

import { useEffect } from "react";
import { startChatLive } from "@/lib/chat/live";
import { IncomingCall } from "./IncomingCall";
import { OutgoingCall } from "./OutgoingCall";
import { Toasts } from "./Toasts";

/** Mounted on every page of a signed-in account: the chat connection, incoming calls and message toasts. */
export function ChatGlobal({ realtimeUrl, userId, userName }: { realtimeUrl: string; userId: string; userName: string }) {
  useEffect(() => startChatLive(realtimeUrl, { id: userId, name: userName, isGuest: false }), [realtimeUrl, userId, userName]);
  return (
    <>
      <IncomingCall />
      <OutgoingCall />
      <Toasts />
    </>
  );
}
