import { z } from "zod";

export const blockSchema = z.object({ userId: z.string().uuid("userId must be a user id (UUID)") });

export type BlockInput = z.infer<typeof blockSchema>;
