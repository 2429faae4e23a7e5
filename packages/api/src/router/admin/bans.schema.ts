import { z } from "zod";
import { randomDeviceId as deviceId, storableText } from "../../schemas.ts";
import { keysetPageSchema } from "../../services/keyset.ts";

/** Every moderator action asks why: the audit log keeps it, and a ban's or warning's reason is what the person reads. */
export const moderatorReason = z
  .string({ error: "Give a reason." })
  .trim()
  .min(1, "Give a reason.")
  .max(500, "A reason is at most 500 characters.")
  .refine(...storableText("Reasons"));

/** minutes, up to ten years; null: forever */
export const durationMinutes = z.number().int().min(1, "A ban lasts at least a minute.").max(5_256_000, "A ban lasts at most ten years, or forever (null).").nullable();

export const banKind = z.enum(["user", "device", "ip"], { error: "Choose what to ban: user, device or ip." });

/** A ban by name (a user id, device id or address), not from a report. */
export const createBanSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("user"), value: z.string().uuid("A user ban names a user id (UUID)."), reason: moderatorReason, durationMinutes }),
  z.object({ kind: z.literal("device"), value: deviceId, reason: moderatorReason, durationMinutes }),
  z.object({ kind: z.literal("ip"), value: z.union([z.ipv4(), z.ipv6()], { error: "An address ban names an IPv4 or IPv6 address." }), reason: moderatorReason, durationMinutes }),
]);
export type CreateBanInput = z.infer<typeof createBanSchema>;

export const liftBanSchema = z.object({ banId: z.string().uuid("banId must be a ban id (UUID)"), reason: moderatorReason });

export const BAN_STATUSES = ["active", "lifted", "expired", "all"] as const;

export const listBansSchema = keysetPageSchema.extend({
  status: z.enum(BAN_STATUSES).default("active"),
  kind: banKind.optional(),
  /** part of the banned value (user id, device id, address) or of the reason, or a ban id */
  query: z
    .string()
    .trim()
    .max(128, "A search is at most 128 characters.")
    .refine(...storableText("Searches"))
    .optional(),
});
export type ListBansInput = z.infer<typeof listBansSchema>;
