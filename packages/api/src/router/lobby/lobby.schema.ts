import { z } from "zod";
import { meetingCode } from "../../schemas.ts";

export const knockSchema = z.object({ code: meetingCode });
export const watchLobbySchema = z.object({ code: meetingCode });

export type KnockInput = z.infer<typeof knockSchema>;
export type WatchLobbyInput = z.infer<typeof watchLobbySchema>;
