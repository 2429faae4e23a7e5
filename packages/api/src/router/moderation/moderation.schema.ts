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

const banReason = z
  .string({ error: "Give a reason: the person sees it." })
  .trim()
  .min(1, "Give a reason: the person sees it.")
  .max(500, "A reason is at most 500 characters.")
  .refine(...storableText("Reasons"));
/** minutes, up to ten years; null: forever */
const durationMinutes = z.number().int().min(1, "A ban lasts at least a minute.").max(5_256_000, "A ban lasts at most ten years, or forever (null).").nullable();

export const banSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("user"), value: z.string().uuid("A user ban names a user id (UUID)."), reason: banReason, durationMinutes }),
  z.object({ kind: z.literal("device"), value: deviceId, reason: banReason, durationMinutes }),
  z.object({ kind: z.literal("ip"), value: z.union([z.ipv4(), z.ipv6()], { error: "An address ban names an IPv4 or IPv6 address." }), reason: banReason, durationMinutes }),
]);
export type BanSchemaInput = z.infer<typeof banSchema>;

export const liftBanSchema = z.object({ banId: z.string().uuid("banId must be a ban id (UUID)") });
