// What the meeting procedures answer, as zod: tRPC checks every answer against it (`.output()`), and the OpenAPI
// document (packages/api/src/openapi) and docs/api.md describe the same schemas, so neither can drift from the code.
import { z } from "zod";
import { timestamp } from "../../schemas.ts";
import type { meetingView } from "../../meeting/meetingView.ts";

/** what clients see of a meeting (meetingView) */
export const meetingSchema = z.object({
  id: z.string().describe("the meeting's id (UUID)"),
  code: z.string().describe("the code in its link, /m/<code>"),
  title: z.string(),
  host: z.object({ id: z.string(), name: z.string() }),
  isHost: z.boolean().describe("whether the caller hosts it"),
  maxParticipants: z.number().int(),
  mode: z.enum(["P2P", "SFU"]).describe("how media flows when it starts: a P2P mesh or through the SFU"),
  p2pMaxParticipants: z.number().int(),
  locked: z.boolean(),
  lobbyEnabled: z.boolean(),
  status: z.enum(["SCHEDULED", "LIVE", "ENDED"]),
  createdAt: timestamp,
  endedAt: timestamp.nullable(),
}) satisfies z.ZodType<ReturnType<typeof meetingView>>;

/** a meeting looked up by its code: also who is in it now */
export const meetingWithLiveSchema = meetingSchema.extend({
  live: z.object({ participants: z.number().int().describe("people in the call now"), mode: z.enum(["P2P", "SFU"]).describe("how media flows now") }),
});

export const meetingPageSchema = z.object({
  items: z.array(meetingSchema),
  nextCursor: z.string().nullable().describe("pass it as `cursor` for the next page; null on the last page"),
});

/** a host's lock and lobby settings after a change */
export const meetingAccessSchema = z.object({ locked: z.boolean(), lobbyEnabled: z.boolean() });

export const okSchema = z.object({ ok: z.literal(true) });
