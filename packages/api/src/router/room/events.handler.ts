import { tracked } from "@trpc/server";
import type { MeetingEventTest } from "../../meeting/eventLog.ts";
import type { MeetingEvent } from "../../meeting/events.ts";
import { compareStreamIds } from "../../services/streamIds.ts";
import { realtimeServices, type Context, type SessionUser } from "../../trpc.ts";
import { meetingCaller } from "./caller.ts";
import type { EventsInput } from "./room.schema.ts";

/** Everything that happens in the meeting, resumable: a reconnecting client passes the last id it saw. */
export async function* meetingEventsHandler({ ctx, input, signal }: { ctx: Context & { user: SessionUser }; input: EventsInput; signal: AbortSignal | undefined }) {
  const { meetings, caller } = meetingCaller(ctx);
  const rt = realtimeServices(ctx);
  const { joinedAfterId } = await meetings.check(input.meetingId, input.peerId, caller);
  // nobody reads the meeting from before they joined: a resumption starts at the participant's join at the earliest
  const joinedAt = joinedAfterId ?? (await rt.meetingEvents.lastId(input.meetingId));
  const requested = input.lastEventId ?? (await rt.meetingEvents.lastId(input.meetingId));
  const from = compareStreamIds(requested, joinedAt) < 0 ? joinedAt : requested;
  // whoever leaves, is removed or sees the meeting end stops receiving the meeting (after being told why)
  const until: MeetingEventTest = (type, source) =>
    type === "removed" || type === "meeting.ended" || (type === "peer.left" && (source.event as Extract<MeetingEvent, { type: "peer.left" }>).peerId === input.peerId);
  // live events go straight to the socket when the transport can take them (serialized once per node)
  for await (const { id, event } of rt.meetingEvents.events(input.meetingId, input.peerId, from, signal, { sink: rt.eventSink, until })) {
    yield tracked(id, event);
  }
}
