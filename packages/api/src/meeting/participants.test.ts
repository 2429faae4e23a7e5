import { expect, test } from "vitest";
import { beyondUserLimit } from "./participants.ts";
import { meetingWith } from "./test-helpers.ts";

test("a user in the meeting from fewer tabs than the limit may join from another", () => {
  expect(beyondUserLimit(meetingWith(["alice", "alice", "bob"]), "alice", 3)).toBeNull();
});

test("a user at the limit is refused with the limit in the message; another user is still let in", () => {
  const live = meetingWith(["alice", "alice", "alice", "bob"]);
  expect(beyondUserLimit(live, "alice", 3)).toEqual(
    expect.objectContaining({
      code: "PRECONDITION_FAILED",
      message: "You are already in this meeting from 3 tabs or devices, the most one person may use (limit 3). Leave it in one of them to join here.",
    }),
  );
  expect(beyondUserLimit(live, "bob", 3)).toBeNull();
  expect(beyondUserLimit(live, "carol", 3)).toBeNull();
});

test("a user's bots do not take the tabs the user may join from", () => {
  expect(beyondUserLimit(meetingWith(["alice", "alice"], ["alice", "alice"]), "alice", 3)).toBeNull();
});
