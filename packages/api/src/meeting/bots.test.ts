import { expect, test } from "vitest";
import { beyondBotLimit, hasBot, requireBot, rtpTarget } from "./bots.ts";
import { meetingWith } from "./test-helpers.ts";

test("a meeting takes bots up to the limit, whoever runs them, and then refuses the next with the limit named", () => {
  expect(beyondBotLimit(meetingWith(["alice", "bob"], ["alice", "bob"]), 3)).toBeNull();
  expect(beyondBotLimit(meetingWith(["alice"], ["alice", "bob", "carol"]), 3)).toEqual(
    expect.objectContaining({ code: "PRECONDITION_FAILED", message: "This meeting already has 3 bots, the most it may have (limit 3). One must leave first." }),
  );
  expect(hasBot(meetingWith(["alice"]))).toBe(false);
  expect(hasBot(meetingWith(["alice"], ["bob"]))).toBe(true);
});

test("only a bot participant gets plain RTP transports", () => {
  expect(() => requireBot({ isBot: false })).toThrow(/not a bot/);
  expect(() => requireBot({ isBot: true })).not.toThrow();
});

test("a bot's RTP goes to the address it connected from, or to an address the server allows, never to a third party", () => {
  const bot = { ip: "198.51.100.7" };
  expect(rtpTarget(bot, undefined, [])).toBe("198.51.100.7");
  expect(rtpTarget(bot, "198.51.100.7", [])).toBe("198.51.100.7");
  expect(() => rtpTarget(bot, "203.0.113.9", [])).toThrow(/only to the address it connected from \(198\.51\.100\.7\), not to 203\.0\.113\.9/);
  expect(rtpTarget(bot, "10.0.2.9", ["10.0.2.0/24"])).toBe("10.0.2.9");
  expect(() => rtpTarget(bot, "10.0.3.9", ["10.0.2.0/24"])).toThrow(/BOT_RTP_TARGETS/);
  expect(() => rtpTarget({ ip: "unknown" }, undefined, [])).toThrow(/unknown/);
});
