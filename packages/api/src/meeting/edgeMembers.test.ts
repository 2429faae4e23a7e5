// EdgeMembers with a fake room channel (the boundary to Redis pub/sub) and a fake clock.
import { expect, test, vi } from "vitest";
import { CONFIRMED_FOR_MS, EdgeMembers } from "./edgeMembers.ts";
import type { MeetingEvent } from "./events.ts";

function setup() {
  let now = 1_000_000;
  const rooms = new Map<string, (type: MeetingEvent["type"], to: string | undefined, source: { event: MeetingEvent }) => void>();
  const edge = new EdgeMembers(
    async (meetingId, onEvent) => {
      rooms.set(meetingId, onEvent);
      return () => rooms.delete(meetingId);
    },
    () => now,
  );
  return { edge, rooms, tick: (ms: number) => (now += ms), emit: (meetingId: string, event: MeetingEvent, to?: string) => rooms.get(meetingId)?.(event.type, to, { event }) };
}

const ann = { id: "u-ann", name: "Ann" };
const bob = { id: "u-bob", name: "Bob" };

test("a confirmed participant acts from this node only on its own socket, as its own user, with its own peer id", () => {
  const { edge } = setup();
  edge.confirm("socket-1", "m1", "peer-a", ann);
  expect(edge.get("socket-1", "m1", "peer-a", ann.id)).toMatchObject({ displayName: "Ann" });
  expect(edge.get("socket-2", "m1", "peer-a", ann.id)).toBeNull();
  expect(edge.get("socket-1", "m1", "peer-a", bob.id)).toBeNull();
  expect(edge.get("socket-1", "m1", "peer-b", ann.id)).toBeNull();
  expect(edge.get("socket-1", "m2", "peer-a", ann.id)).toBeNull();
});

test("leaving, removal and the meeting's end are seen on the room's channel and forgotten", async () => {
  const { edge, emit, rooms } = setup();
  edge.confirm("socket-1", "m1", "peer-a", ann);
  edge.confirm("socket-2", "m1", "peer-b", bob);
  await Promise.resolve();
  // a removal is addressed to the removed participant first
  emit("m1", { type: "removed", message: "You were removed" }, "peer-a");
  expect(edge.get("socket-1", "m1", "peer-a", ann.id)).toBeNull();
  emit("m1", { type: "peer.left", peerId: "peer-a", reason: "removed" });
  expect(edge.get("socket-2", "m1", "peer-b", bob.id)).not.toBeNull();
  emit("m1", { type: "meeting.ended" });
  expect(edge.get("socket-2", "m1", "peer-b", bob.id)).toBeNull();
  expect(edge.size).toBe(0);
  // nobody left to watch for: the room's channel is released
  await vi.waitFor(() => expect(rooms.has("m1")).toBe(false));
});

test("a closed socket's participants are forgotten, and a confirmation lapses until the owner confirms again", () => {
  const { edge, tick } = setup();
  edge.confirm("socket-1", "m1", "peer-a", ann);
  edge.confirm("socket-1", "m2", "peer-x", ann);
  tick(CONFIRMED_FOR_MS + 1);
  expect(edge.get("socket-1", "m1", "peer-a", ann.id)).toBeNull();
  edge.confirm("socket-1", "m1", "peer-a", ann);
  expect(edge.get("socket-1", "m1", "peer-a", ann.id)).not.toBeNull();
  edge.forgetConnection("socket-1");
  expect(edge.get("socket-1", "m1", "peer-a", ann.id)).toBeNull();
  expect(edge.size).toBe(0);
});

test("a rejoin on the same socket replaces the old participant", () => {
  const { edge, emit } = setup();
  edge.confirm("socket-1", "m1", "peer-old", ann);
  edge.confirm("socket-1", "m1", "peer-new", ann);
  expect(edge.get("socket-1", "m1", "peer-old", ann.id)).toBeNull();
  // the old participant's departure does not touch the new one
  emit("m1", { type: "peer.left", peerId: "peer-old", reason: "left" });
  expect(edge.get("socket-1", "m1", "peer-new", ann.id)).not.toBeNull();
});

test("a room whose channel cannot be watched is not trusted from here", async () => {
  const edge = new EdgeMembers(async () => {
    throw new Error("Redis is down");
  });
  edge.confirm("socket-1", "m1", "peer-a", ann);
  await vi.waitFor(() => expect(edge.get("socket-1", "m1", "peer-a", ann.id)).toBeNull());
});
