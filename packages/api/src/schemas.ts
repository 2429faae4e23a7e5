// Field schemas shared by several procedures (and by the web forms, which import the types only).
import { z } from "zod";

// Characters that change how text around them reads without showing themselves: bidirectional embeddings,
// overrides and isolates (U+202A-202E, U+2066-2069: "\u202Etxt.exe" shows as "exe.txt"), direction marks (U+200E,
// U+200F, U+061C) and zero-width spaces (U+200B, U+2060, U+FEFF, U+180E: "Ada" and "A\u200Bda" look alike).
// The zero-width joiners U+200C/U+200D stay allowed: Persian and Indic names and emoji sequences need them.
const HIDDEN_FORMATTING = /[\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Half of a surrogate pair on its own: not a character, not UTF-8 (with the u flag a whole pair is one code point)
const LONE_SURROGATE = /\p{Cs}/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Text people read as a label (display names, meeting titles, group names): trimmed, bounded, and free of control
 * characters and of the invisible characters above, so nobody can pose as someone else or disguise a title.
 * Every such field uses this one schema, with its own words.
 */
export function labelText(words: { plural: string; empty: string; max: number }) {
  return z
    .string({ error: words.empty })
    .trim()
    .min(1, words.empty)
    .max(words.max, `${words.plural} are at most ${words.max} characters.`)
    .superRefine((text, ctx) => {
      if (CONTROL.test(text)) ctx.addIssue({ code: "custom", message: `${words.plural} cannot contain control characters.` });
      if (LONE_SURROGATE.test(text)) ctx.addIssue({ code: "custom", message: `${words.plural} cannot contain broken characters (a lone surrogate).` });
      const hidden = HIDDEN_FORMATTING.exec(text);
      if (hidden) {
        ctx.addIssue({
          code: "custom",
          message: `${words.plural} cannot contain invisible characters or characters that change the direction of text (found ${codePoint(hidden[0])}).`,
        });
      }
    });
}

/**
 * `.refine(...storableText("Searches"))`: free text stored in PostgreSQL (whose text type cannot hold U+0000) or
 * passed through Redis scripts (whose JSON decoder refuses a lone surrogate's escape; such a string is not UTF-8 at
 * all): refused as input (BAD_REQUEST) instead of failing its query or script with a 500 (found by the fuzzing test).
 */
export const storableText = (plural: string) =>
  [(text: string) => !text.includes("\u0000") && !LONE_SURROGATE.test(text), `${plural} cannot contain the character U+0000 or broken characters (a lone surrogate).`] as const;

export const displayName = labelText({ plural: "Names", empty: "Enter a name.", max: 80 });
export const meetingTitle = labelText({ plural: "Titles", empty: "Enter a title.", max: 120 });
export const groupTitle = labelText({ plural: "Group names", empty: "Give the group a name.", max: 120 });

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

/** The random id the browser keeps for random chat (random/contract.ts RandomPerson.deviceId). */
export const randomDeviceId = z.string({ error: "deviceId is missing" }).regex(/^[A-Za-z0-9_-]{16,64}$/, "deviceId must be 16 to 64 letters, digits, _ or -");
/** A random-chat match id as the server gave it (whether it is the caller's is checked against the match record). */
export const matchId = z.string({ error: "matchId is missing" }).uuid("matchId must be a match id (a UUID)");

/** A time in an answer: a Date over tRPC (superjson), an ISO 8601 string in JSON (REST; the OpenAPI document says so). */
export const timestamp = z.date().meta({ format: "date-time" });
