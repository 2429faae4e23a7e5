import type { Metadata } from "next";
import { env } from "@qualmeet/config";
import { currentUser } from "@/server/session";
import { RandomChat } from "./RandomChat";

export const metadata: Metadata = { title: "Random chat" };

/** /random: talk to a stranger, one at a time (issue 12). Guests and accounts; a guest signs in with a name first. */
export default async function RandomPage() {
  const user = await currentUser();
  // read at request time (not NEXT_PUBLIC_ variables): changing them needs no rebuild
  return (
    <RandomChat user={user ? { id: user.id, name: user.name, isGuest: user.isGuest } : null} realtimeUrl={env.REALTIME_PUBLIC_URL} iceTransportPolicy={env.ICE_TRANSPORT_POLICY} />
  );
}
