import { z } from "zod";
import { REPORT_REASONS } from "../../moderation/reports.ts";
import { matchId, randomDeviceId as deviceId, storableText } from "../../schemas.ts";

export const reportSchema = z.object({
  matchId,
  reason: z.enum(REPORT_REASONS, { error: `Choose a reason: ${REPORT_REASONS.join(", ")}.` }),
  comment: z
    .string()
    .trim()
    .max(500, "A comment is at most 500 characters.")
    .refine(...storableText("Comments"))
    .optional(),
});
export type ReportSchemaInput = z.infer<typeof reportSchema>;

export const blockSchema = z.object({ matchId });

/** Who the caller is in random chat beyond their session: their device (their address is the connection's). */
export const personSchema = z.object({ deviceId });

export const appealSchema = z.object({
  deviceId,
  banId: z.string().uuid("banId must be a ban id (UUID)"),
  message: z
    .string({ error: "Write why the ban should be lifted." })
    .trim()
    .min(1, "Write why the ban should be lifted.")
    .max(1000, "An appeal is at most 1,000 characters.")
    .refine(...storableText("Appeals")),
});

export const acknowledgeNoticeSchema = z.object({ deviceId, noticeId: z.string().uuid("noticeId must be a notice id (UUID)") });
