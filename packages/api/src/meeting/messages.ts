// What participants read when a meeting refuses or loses something, and the media model's refusals as tRPC errors.
import { TRPCError } from "@trpc/server";
import { MediaError } from "@qualmeet/media";

export const MEDIA_LOST_MESSAGE = "Media server lost, reconnecting…";
export const MEDIA_MOVED_MESSAGE = "The meeting moved to another media server, reconnecting…";
export const MEDIA_UNAVAILABLE = "Media server unavailable. Retrying…";
export const MEETING_ENDED = "This meeting has ended.";
export const PLAYBACK_HOST_ONLY = "Only the host can share or control media in this meeting (the host can let everyone do it).";
export const TARGET_NOT_IN_MEETING = "That participant is not in the meeting.";

export const notInMeeting = () => new TRPCError({ code: "FORBIDDEN", message: "You are not in this meeting (join it first)." });

/** Maps the media model's refusals to tRPC errors with the model's (clear) message. */
export function mediaToTrpcError(error: unknown): unknown {
  if (!(error instanceof MediaError)) return error;
  const code = error.code === "NOT_FOUND" ? "NOT_FOUND" : error.code === "CLOSED" ? "PRECONDITION_FAILED" : "BAD_REQUEST";
  return new TRPCError({ code, message: error.message, cause: error });
}
