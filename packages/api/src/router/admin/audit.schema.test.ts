import { describe, expect, it } from "vitest";
import { auditFilterSchema, auditListSchema } from "./audit.schema.ts";

describe("audit log filters, as the page's URL gives them", () => {
  it("empty fields are no filter", () => {
    expect(auditFilterSchema.parse({ actor: "", action: "  ", targetType: "", targetId: "", from: "", until: "" })).toEqual({});
  });

  it("times without a zone are UTC; an Until given to the minute includes that whole minute", () => {
    expect(auditFilterSchema.parse({ from: "2026-12-03T21:05", until: "2026-12-03T21:05" })).toEqual({
      from: new Date("2026-12-03T21:05:00.000Z"),
      until: new Date("2026-12-03T21:05:59.999Z"),
    });
    expect(auditFilterSchema.parse({ until: "2026-12-03T21:05:30" }).until).toEqual(new Date("2026-12-03T21:05:30.000Z"));
    expect(auditFilterSchema.parse({ from: "2026-12-03T22:05:00+01:00" }).from).toEqual(new Date("2026-12-03T21:05:00.000Z"));
  });

  it("a time that is not one, or From after Until, is refused naming the field", () => {
    const wrong = auditFilterSchema.safeParse({ from: "last week" });
    expect(wrong.error?.issues[0]).toMatchObject({ path: ["from"], message: expect.stringMatching(/^From must be a date and time/) });
    const backwards = auditFilterSchema.safeParse({ from: "2026-12-03T21:06", until: "2026-12-03T21:05" });
    expect(backwards.error?.issues[0]).toMatchObject({ path: ["until"], message: "From is after Until." });
  });

  it("page positions are entry numbers, one direction at a time", () => {
    expect(auditListSchema.parse({ filter: {}, before: "42" })).toMatchObject({ before: "42", limit: 50 });
    expect(auditListSchema.safeParse({ filter: {}, before: "42; DROP" }).success).toBe(false);
    expect(auditListSchema.safeParse({ filter: {}, before: "42", after: "7" }).success).toBe(false);
  });
});
