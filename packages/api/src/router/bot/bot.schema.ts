// Inputs of the bot procedures (bot.*): a bot joins by meeting code with a name, then names its participant.
import { z } from "zod";
import { labelText, meetingCode } from "../../schemas.ts";
import { peerRef } from "../room/room.schema.ts";

export const botJoinSchema = z.object({
  code: meetingCode,
  /** what everyone sees in the participant list, marked as a bot */
  name: labelText({ plural: "Bot names", empty: "Give the bot a name.", max: 64 }),
});

export const botRecvTransportSchema = peerRef.extend({
  /** the UDP port the bot receives RTP on (RTCP muxed on it) */
  port: z.number().int().min(1).max(65535),
  /** the receiver's address: by default the one the bot's socket connected from; another needs BOT_RTP_TARGETS */
  ip: z.union([z.ipv4(), z.ipv6()], { error: "ip must be an IPv4 or IPv6 address" }).optional(),
});
