import { expect, test } from "vitest";
import { displayName, email, groupTitle, meetingCode, meetingTitle } from "./schemas.ts";
import { newMeetingCode } from "./meeting/meetingRecords.ts";
import { searchSchema } from "./router/chat/history.schema.ts";
import { sendSchema } from "./router/chatLive/message.schema.ts";

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

test("names and titles that hide characters or reverse text are refused, naming the character", () => {
  const fields = [
    { schema: displayName, what: "Names" },
    { schema: meetingTitle, what: "Titles" },
    { schema: groupTitle, what: "Group names" },
  ];
  const disguised = [
    { text: "Ada\u202Egnp.exe", char: "U+202E" },
    { text: "A\u200Bda", char: "U+200B" },
    { text: "\u2066Ada\u2069", char: "U+2066" },
    { text: "A\uFEFFda", char: "U+FEFF" },
    { text: "Ada\u200F", char: "U+200F" },
  ];
  for (const { schema, what } of fields) {
    for (const { text, char } of disguised) {
      const result = schema.safeParse(text);
      expect(result.success, `${what}: ${JSON.stringify(text)}`).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(`${what} cannot contain invisible characters or characters that change the direction of text (found ${char}).`);
    }
  }
});

test("names in any script stay allowed, joiners included (Persian, emoji sequences)", () => {
  for (const name of ["José Ñúñez", "محمد رضا", "می\u200Cخواهم", "山田 太郎", "Family 👨\u200D👩\u200D👧", "Zoë O'Brien-Smith"]) {
    expect(displayName.parse(name)).toBe(name);
    expect(meetingTitle.parse(name)).toBe(name);
  }
});

test("half a surrogate pair is refused in names and titles, and with U+0000 in searches and messages; whole emoji pass", () => {
  for (const schema of [displayName, meetingTitle, groupTitle]) {
    expect(schema.safeParse("Ada \ud800").error?.issues[0]?.message).toMatch(/broken characters/);
    expect(schema.parse("Ada 😀")).toBe("Ada 😀");
  }
  const message = { conversationId: "6ec543c7-f4b3-4c47-8a11-6db913604925", clientId: "client-id-1" };
  for (const body of ["\udfff", "a\u0000b"]) expect(sendSchema.safeParse({ ...message, body }).error?.issues[0]?.message).toMatch(/U\+0000 or broken characters/);
  expect(sendSchema.parse({ ...message, body: "fine 😀" }).body).toBe("fine 😀");
  expect(searchSchema.safeParse({ conversationId: message.conversationId, query: "x\u0000" }).success).toBe(false);
});
