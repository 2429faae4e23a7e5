// The people of the authorization and fuzzing tests: accounts, a guest and an administrator signed in through the
// web app as a browser would, each with its own realtime socket, and the anonymous caller with none.
import type { PrismaClient } from "@qualmeet/db";
import { newUser, signIn } from "../../../../tests/harness/clients.ts";
import type { Party } from "./objects.ts";
import { HttpCaller, SocketCaller } from "./wire.ts";

export interface Servers {
  webUrl: string;
  wsUrl: string;
}

export async function account(servers: Servers, name: string): Promise<Party> {
  const user = await newUser(servers.webUrl, name);
  return {
    id: user.id,
    name,
    cookie: user.cookie,
    http: new HttpCaller(servers.webUrl, user.cookie),
    socket: await SocketCaller.open(servers.wsUrl, { origin: servers.webUrl, cookie: user.cookie }),
  };
}

export async function guest(servers: Servers, name: string): Promise<Party> {
  const session = await signIn(servers.webUrl, { name }, "guest");
  if (!session.ok) throw new Error(`guest sign-in failed: ${session.error}`);
  const me = await new HttpCaller(servers.webUrl, session.cookie).call("query", "auth.me", undefined);
  const id = (me.data as { id: string }).id;
  return {
    id,
    name,
    cookie: session.cookie,
    http: new HttpCaller(servers.webUrl, session.cookie),
    socket: await SocketCaller.open(servers.wsUrl, { origin: servers.webUrl, cookie: session.cookie }),
  };
}

/** An account made an administrator in the database (as the first administrator is); its role is read on every call. */
export async function admin(servers: Servers, db: PrismaClient, name: string): Promise<Party> {
  const party = await account(servers, name);
  await db.user.update({ where: { id: party.id }, data: { role: "ADMIN" } });
  return party;
}

/** No session: plain HTTP without a cookie, and a socket of its own per call (a socket without a session is closed after WS_AUTH_TIMEOUT_MS). */
export function anonymous(servers: Servers) {
  return {
    http: new HttpCaller(servers.webUrl),
    openSocket: () => SocketCaller.open(servers.wsUrl, { origin: servers.webUrl }),
  };
}

export async function closeParties(parties: Iterable<Party>): Promise<void> {
  await Promise.all([...parties].map((p) => p.socket.close()));
}
