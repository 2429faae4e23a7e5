import { z } from "zod";
import { keysetPageSchema } from "../../services/keyset.ts";
import { moderatorReason } from "./bans.schema.ts";

export const APPEAL_STATUSES = ["pending", "accepted", "rejected"] as const;

export const listAppealsSchema = keysetPageSchema.extend({ status: z.enum(APPEAL_STATUSES).default("pending") });
export type ListAppealsInput = z.infer<typeof listAppealsSchema>;

export const decideAppealSchema = z.object({ appealId: z.string().uuid("appealId must be an appeal id (UUID)"), note: moderatorReason });
