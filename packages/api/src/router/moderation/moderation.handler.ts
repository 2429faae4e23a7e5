// Random-chat moderation over the realtime socket, where the /random page's call runs: report and block (pressed in
// the call or just after), the caller's ban notice and appeal, the watch list's challenge, and moderation's notices to the person. The
// behaviour is in moderation/; these name the caller (session user, device id from the input, the socket's address).
import type { IssuedChallenge } from "@qualmeet/challenge";
import { banNotice, fileAppeal } from "../../moderation/bans.ts";
import { acknowledgeNotice, pendingNotices, type ModerationNoticeView } from "../../moderation/notices.ts";
import { DEFAULT_POLICY } from "../../moderation/policy.ts";
import { blockPartner, fileReport, type ActionDeps } from "../../moderation/reports.ts";
import { randomChallenge } from "../../moderation/watchList.ts";
import type { BanNotice, RandomPerson } from "../../random/contract.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";
import type { ReportSchemaInput } from "./moderation.schema.ts";

type Ctx = Context & { user: SessionUser };

/** moderation's dependencies; reports and blocks act on matches through random chat's RandomMatches */
function actionDeps(ctx: Ctx): ActionDeps {
  return { db: ctx.db, redis: ctx.redis, matches: realtimeServices(ctx).random.matches, policy: DEFAULT_POLICY };
}

const personOf = (ctx: Ctx, deviceId: string): RandomPerson => ({ userId: ctx.user.id, deviceId, ip: ctx.ip });
const callerOf = (ctx: Ctx) => ({ userId: ctx.user.id, ip: ctx.ip });

export const reportHandler = ({ ctx, input }: { ctx: Ctx; input: ReportSchemaInput }) => fileReport(actionDeps(ctx), callerOf(ctx), input);

export const blockHandler = ({ ctx, input }: { ctx: Ctx; input: { matchId: string } }) => blockPartner(actionDeps(ctx), callerOf(ctx), input.matchId);

export async function banStatusHandler({ ctx, input }: { ctx: Ctx; input: { deviceId: string } }): Promise<{ ban: BanNotice | null }> {
  return { ban: await banNotice(ctx, personOf(ctx, input.deviceId), DEFAULT_POLICY) };
}

export const appealHandler = ({ ctx, input }: { ctx: Ctx; input: { deviceId: string; banId: string; message: string } }) =>
  fileAppeal(ctx, personOf(ctx, input.deviceId), { banId: input.banId, message: input.message });

/** The proof-of-work challenge a watched device solves before its next Start (null when it needs none). */
export async function challengeHandler({ ctx, input }: { ctx: Ctx; input: { deviceId: string } }): Promise<{ challenge: IssuedChallenge | null }> {
  return { challenge: await randomChallenge(ctx, personOf(ctx, input.deviceId), DEFAULT_POLICY) };
}

export async function noticesHandler({ ctx, input }: { ctx: Ctx; input: { deviceId: string } }): Promise<{ notices: ModerationNoticeView[] }> {
  return { notices: await pendingNotices(ctx.db, personOf(ctx, input.deviceId)) };
}

export const acknowledgeNoticeHandler = ({ ctx, input }: { ctx: Ctx; input: { deviceId: string; noticeId: string } }) =>
  acknowledgeNotice(ctx.db, personOf(ctx, input.deviceId), input.noticeId);
