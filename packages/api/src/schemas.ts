// Field schemas shared by several procedures (and by the web forms, which import the types only).
import { z } from "zod";

export const displayName = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, "Enter a name.")
  .max(80, "Names are at most 80 characters.")
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "Names cannot contain control characters.");

export const email = z
  .string({ error: "Enter an email address." })
  .trim()
  .toLowerCase()
  .max(254, "Email addresses are at most 254 characters.")
  .pipe(z.email("Enter a valid email address."));

export const newPassword = z.string({ error: "Enter a password." }).min(8, "Passwords need at least 8 characters.").max(200, "Passwords are at most 200 characters.");

// No 0/o, 1/l/i: codes are read aloud and typed by hand.
export const MEETING_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const MEETING_CODE = new RegExp(`^[${MEETING_CODE_ALPHABET}]{8}$`);

/** A meeting code as people type it: case and separators don't matter ("ABCD-EFGH" is "abcdefgh"). */
export const meetingCode = z
  .string({ error: "Enter a meeting code." })
  .transform((s) => s.replace(/[\s-]/g, "").toLowerCase())
  .refine((s) => MEETING_CODE.test(s), "A meeting code has 8 letters and digits, like abcd2345.");
