import { expect, test } from "vitest";
import { CloseCode, OpenSockets, isRefusal, type SocketPlace, type SocketRefusal } from "./socketLimits.ts";

const place = (answer: SocketPlace | SocketRefusal): SocketPlace => {
  if (isRefusal(answer)) throw new Error(`refused: ${answer.reason}`);
  return answer;
};

test("an address block gets its cap of sockets, the next is refused with the limit, and a closed one makes room", () => {
  const sockets = new OpenSockets({ perAddressBlock: 3, perUser: 10 });
  const held = [1, 2, 3].map(() => place(sockets.admit("203.0.113.7")));
  const refused = sockets.admit("203.0.113.7");
  expect(refused).toEqual({
    code: CloseCode.tooManySockets,
    reason: "Too many connections from your network (limit 3). Close some QualMeet tabs.",
    cap: "perAddressBlock",
    limit: 3,
  });
  expect(Buffer.byteLength((refused as SocketRefusal).reason)).toBeLessThanOrEqual(123);
  // another address is not affected
  place(sockets.admit("203.0.113.8"));
  held[0]!.release();
  // releasing twice gives back one place, not two
  held[0]!.release();
  place(sockets.admit("203.0.113.7"));
  expect(isRefusal(sockets.admit("203.0.113.7"))).toBe(true);
});

test("a user gets their cap of sockets from any address; the refused socket gives its address place back", () => {
  const sockets = new OpenSockets({ perAddressBlock: 3, perUser: 2 });
  expect(place(sockets.admit("198.51.100.1")).claimUser("alice")).toBeNull();
  expect(place(sockets.admit("198.51.100.2")).claimUser("alice")).toBeNull();
  const third = place(sockets.admit("198.51.100.1"));
  expect(third.claimUser("alice")).toEqual({
    code: CloseCode.tooManySockets,
    reason: "Too many connections for your account (limit 2). Close some QualMeet tabs.",
    cap: "perUser",
    limit: 2,
  });
  // another user on the same machine is still served, up to the address block's cap
  expect(place(sockets.admit("198.51.100.1")).claimUser("bob")).toBeNull();
  const anonymous = place(sockets.admit("198.51.100.1"));
  expect(isRefusal(sockets.admit("198.51.100.1"))).toBe(true);
  anonymous.release();
  expect(place(sockets.admit("198.51.100.1")).claimUser("bob")).toBeNull();
});

test("a user's closed socket makes room for another of theirs", () => {
  const sockets = new OpenSockets({ perAddressBlock: 10, perUser: 1 });
  const first = place(sockets.admit("2001:db8::/64"));
  expect(first.claimUser("alice")).toBeNull();
  expect(place(sockets.admit("2001:db8::/64")).claimUser("alice")).not.toBeNull();
  first.release();
  expect(place(sockets.admit("2001:db8::/64")).claimUser("alice")).toBeNull();
});
