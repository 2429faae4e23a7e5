import { expect, test } from "vitest";
import { displayName, email, meetingCode } from "./schemas.ts";
import { newMeetingCode } from "./meeting/meetingRecords.ts";

test("meeting codes are normalised as people type them", () => {
  expect(meetingCode.parse("ABCD-EFGH")).toBe("abcdefgh");
  expect(meetingCode.parse(" abcd efgh ")).toBe("abcdefgh");
});

test("malformed meeting codes are refused with a message saying what a code looks like", () => {
  for (const bad of ["abc", "abcdefghj", "abcdefg0", "abcdefg!", ""]) {
    const result = meetingCode.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/8 letters and digits/);
  }
});

test("generated meeting codes are valid codes and differ", () => {
  const codes = new Set(Array.from({ length: 1000 }, newMeetingCode));
  expect(codes.size).toBe(1000);
  for (const code of codes) expect(meetingCode.parse(code)).toBe(code);
});

test("emails are trimmed and lowercased; bad ones are refused", () => {
  expect(email.parse("  Ada@Example.COM ")).toBe("ada@example.com");
  expect(email.safeParse("not-an-email").error?.issues[0]?.message).toBe("Enter a valid email address.");
});

test("names are trimmed, bounded and free of control characters", () => {
  expect(displayName.parse("  Ada  ")).toBe("Ada");
  expect(displayName.safeParse("   ").success).toBe(false);
  expect(displayName.safeParse("x".repeat(81)).success).toBe(false);
  expect(displayName.safeParse("bad\u0007name").success).toBe(false);
});
