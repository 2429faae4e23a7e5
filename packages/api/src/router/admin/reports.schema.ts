import { z } from "zod";
import { REPORT_REASONS } from "../../moderation/reports.ts";
import { keysetPageSchema } from "../../services/keyset.ts";
import { banKind, durationMinutes, moderatorReason } from "./bans.schema.ts";

const reportId = z.string().uuid("reportId must be a report id (UUID)");

export const REPORT_STATUSES = ["open", "dismissed", "warned", "banned"] as const;

export const listReportsSchema = keysetPageSchema.extend({
  status: z.enum(REPORT_STATUSES).default("open"),
  reason: z.enum(REPORT_REASONS).optional(),
  /** only reports at least this many hours old */
  minAgeHours: z.number().int().min(0).max(87_600).optional(),
  /** only reports at most this many hours old */
  maxAgeHours: z.number().int().min(1).max(87_600).optional(),
});
export type ListReportsInput = z.infer<typeof listReportsSchema>;

export const handleReportSchema = z.object({ reportId, reason: moderatorReason });
export type HandleReportInput = z.infer<typeof handleReportSchema>;

export const banFromReportsSchema = z.object({
  reportIds: z.array(reportId).min(1, "Select at least one report.").max(50, "Ban at most 50 reports at once."),
  target: banKind,
  reason: moderatorReason,
  durationMinutes,
});
export type BanFromReportsSchemaInput = z.infer<typeof banFromReportsSchema>;
