import { z } from "zod";
import { meetingCode } from "../../schemas.ts";

export const byCodeSchema = z.object({ code: meetingCode });
export const listMineSchema = z.object({ limit: z.number().int().min(1).max(100).default(20), cursor: z.string().uuid().nullish() }).default({ limit: 20 });

export type ByCodeInput = z.infer<typeof byCodeSchema>;
export type ListMineInput = z.infer<typeof listMineSchema>;
