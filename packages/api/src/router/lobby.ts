// The meeting's lobby over the realtime socket: a newcomer asks to join and waits for the host's decision; the
// host watches who waits (decisions are `meeting.admit` / `meeting.deny`, over HTTP or any node: they travel
// through Redis to the node holding the newcomer's socket).
import { KNOCKS } from "../meeting/lobby.ts";
import { createTRPCRouter, guestOrUserProcedure, protectedProcedure, access, handlerLimits } from "../trpc.ts";
import { knockHandler, watchLobbyHandler } from "./lobby/lobby.handler.ts";
import { knockSchema, watchLobbySchema } from "./lobby/lobby.schema.ts";
import { meetingCodeLookups } from "./meeting/lookups.ts";

export const lobbyRouter = createTRPCRouter({
  knock: guestOrUserProcedure
    .meta(access("guest or user"))
    .meta(meetingCodeLookups)
    .meta(handlerLimits({ rule: KNOCKS, what: "knocks that wait for the host", per: "user" }))
    .input(knockSchema)
    .subscription(knockHandler),
  watch: protectedProcedure.meta(access("user", "meeting host")).input(watchLobbySchema).subscription(watchLobbyHandler),
});
