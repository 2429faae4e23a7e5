import { z } from "zod";
import { displayName, email, newPassword } from "../../schemas.ts";

export const registerSchema = z.object({
  name: displayName,
  email,
  password: newPassword,
  /** a solved proof-of-work challenge (auth.challenge with purpose "register"): registering at scale costs work */
  challenge: z.string({ error: "Reload the page and try again." }).min(1).max(4096),
});
export type RegisterInput = z.infer<typeof registerSchema>;
