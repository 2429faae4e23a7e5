// Inputs of the meeting procedures on the realtime socket (room.*): every call names the caller's participant.
import { z } from "zod";
import { meetingCode } from "../../schemas.ts";

export const peerRef = z.object({ meetingId: z.string().uuid("meetingId must be a UUID"), peerId: z.string().uuid("peerId must be a UUID") });
export const targetSchema = peerRef.extend({ targetPeerId: z.string().uuid("targetPeerId must be a UUID") });

export const joinSchema = z.object({ code: meetingCode });
export const eventsSchema = peerRef.extend({
  lastEventId: z
    .string()
    .regex(/^\d+-\d+$/, "lastEventId must be a stream id")
    .nullish(),
});

/** An SDP is printable text that starts with its version line; anything else is refused before it is relayed. */
const sdpSchema = z
  .string()
  .max(200_000, "SDP is at most 200 kB")
  .regex(/^v=0\r?\n/, "An SDP starts with v=0.")
  .regex(/^[\x20-\x7e\r\n\t]*$/, "An SDP is printable ASCII.");

export const signalSchema = targetSchema.extend({
  signal: z
    .object({
      description: z.object({ type: z.enum(["offer", "answer", "pranswer", "rollback"]), sdp: sdpSchema.optional() }).optional(),
      candidate: z
        .object({
          candidate: z.string().max(2000),
          sdpMid: z.string().max(64).nullish(),
          sdpMLineIndex: z.number().int().min(0).max(64).nullish(),
          usernameFragment: z.string().max(256).nullish(),
        })
        .nullish(),
    })
    .refine((s) => s.description !== undefined || s.candidate !== undefined, "A signal carries a description or a candidate."),
});

export const playbackSchema = peerRef.extend({
  url: z
    .string()
    .max(2048)
    .url("Enter a valid link.")
    .refine((u) => /^https?:\/\//i.test(u), "Only http(s) links can be shared.")
    .nullable(),
  playing: z.boolean(),
  position: z
    .number()
    .min(0)
    .max(24 * 3600),
});

export const meshThresholdSchema = peerRef.extend({ meshThreshold: z.number().int().min(0).max(8) });
export const playbackAllowedSchema = peerRef.extend({ allowed: z.boolean() });
export const micMutedSchema = peerRef.extend({ muted: z.boolean() });

export type EventsInput = z.infer<typeof eventsSchema>;
