import { z } from "zod";
import { displayName, email, newPassword } from "../../schemas.ts";

export const registerSchema = z.object({ name: displayName, email, password: newPassword });
export type RegisterInput = z.infer<typeof registerSchema>;
