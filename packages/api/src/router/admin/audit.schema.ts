// The audit log's filters, in the words of a URL query (every value a string, an empty field the same as none):
// the page's filter form, its "Export CSV" link and admin.audit.list all parse them with this one schema, so a
// filtered view and its export cannot mean different rows.
import { z } from "zod";
import { storableText } from "../../schemas.ts";

/** "" (an empty form field) is no filter */
const blankIsNone = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const text = (label: string, max: number) =>
  z.preprocess(
    blankIsNone,
    z
      .string()
      .trim()
      .max(max, `${label} is at most ${max} characters.`)
      .refine(...storableText(label))
      .optional(),
  );

// <input type="datetime-local"> sends "2026-12-03T21:05" with no zone: the console's times are UTC, so is it
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
const TO_THE_MINUTE = /T\d{2}:\d{2}$/;
/** `end`: a time given to the minute means the whole minute ("until 21:05" includes 21:05:30) */
const time = (label: string, end = false) =>
  z.preprocess(
    blankIsNone,
    z
      .string()
      .max(40)
      .transform((value, ctx) => {
        const at = new Date(LOCAL_TIME.test(value) ? `${value}Z` : value);
        if (Number.isNaN(at.getTime())) {
          ctx.addIssue({ code: "custom", message: `${label} must be a date and time (UTC), e.g. 2026-12-03T21:05.` });
          return z.NEVER;
        }
        return end && TO_THE_MINUTE.test(value) ? new Date(at.getTime() + 59_999) : at;
      })
      .optional(),
  );

/** An audit row's id as the URL carries it (the table's id is a 64-bit counter). */
const entryId = z.preprocess(
  blankIsNone,
  z
    .string()
    .regex(/^\d{1,19}$/, "must be an audit entry number")
    .optional(),
);

export const auditFilterSchema = z
  .object({
    /** a person's id, or part of their name or e-mail address */
    actor: text("Actor", 200),
    /** an action name exactly, or every action starting with it when it ends with "*" ("moderation.*") */
    action: text("Action", 65),
    targetType: text("Target type", 32),
    targetId: text("Target id", 64),
    from: time("From"),
    until: time("Until", true),
  })
  .refine((f) => !f.from || !f.until || f.from <= f.until, { message: "From is after Until.", path: ["until"] });

export const auditListSchema = z
  .object({
    filter: auditFilterSchema,
    /** entries older than this one (the "Older" link) */
    before: entryId,
    /** entries newer than this one (the "Newer" link) */
    after: entryId,
    limit: z.number().int().min(1).max(100).default(50),
  })
  .refine((input) => !(input.before && input.after), { message: "Page either before or after an entry, not both.", path: ["after"] });

export type AuditFilter = z.infer<typeof auditFilterSchema>;
export type AuditListInput = z.infer<typeof auditListSchema>;
