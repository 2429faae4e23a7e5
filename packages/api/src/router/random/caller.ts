import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";
import type { RandomCaller } from "../../random/randomService.ts";

/** The node's random chat service and who calls it (a guest or a user, on this socket). */
export function randomCaller(ctx: Context & { user: SessionUser }): { random: ReturnType<typeof realtimeServices>["random"]; caller: RandomCaller } {
  const rt = realtimeServices(ctx);
  return { random: rt.random, caller: { userId: ctx.user.id, name: ctx.user.name, ip: ctx.ip, connectionId: rt.connectionId } };
}
