// Bots over the realtime socket: a person's program (packages/client's MeetingBot) joins a meeting as a bot and
// sends and receives plain RTP through the SFU (meeting/bots.ts says what a bot may do). Its events, leaving and
// ICE-free life otherwise go through room.* (room.events, room.leave) like anyone's. Accounts only: a token needs
// the scope "meetings:join".
import type { mediasoupTypes } from "@qualmeet/media";
import { access, createTRPCRouter, protectedProcedure, tokenScope } from "../trpc.ts";
import { botJoinSchema, botRecvTransportSchema } from "./bot/bot.schema.ts";
import { meetingCodeLookups } from "./meeting/lookups.ts";
import { consumeLimit, consumerLimit, producerLimit, transportLimit } from "./media/media.limits.ts";
import { consumeSchema, consumerRef, produceSchema } from "./media/media.schema.ts";
import { meetingCall } from "./room/caller.ts";
import { peerRef } from "./room/room.schema.ts";

const botProcedure = protectedProcedure.meta(tokenScope("meetings:join"));
// zod bounds the RTP parameters' size and shape; mediasoup validates them in depth
const rtp = (input: { rtpParameters: unknown }) => input.rtpParameters as mediasoupTypes.RtpParameters;
const capabilities = (input: { rtpCapabilities: unknown }) => input.rtpCapabilities as mediasoupTypes.RtpCapabilities;

export const botRouter = createTRPCRouter({
  /** The caller's bot joins the meeting (lobby, lock and removals as for the caller; at most BOT_MAX_PER_MEETING bots). */
  join: botProcedure
    .meta(access("user"))
    .meta(meetingCodeLookups)
    .input(botJoinSchema)
    .mutation(meetingCall((meetings, caller, input) => meetings.join(input.code, caller, { name: input.name }))),
  /** Where the bot sends its RTP (RTCP muxed): the server learns the bot's address from its first packet. */
  createSendTransport: botProcedure
    .meta(access("user", "meeting participant"))
    .meta(transportLimit)
    .input(peerRef)
    .mutation(meetingCall((meetings, caller, input) => meetings.media(input.meetingId, input.peerId, caller, "createPlainTransport", { direction: "send" }))),
  /** The server sends the bot's consumers' RTP to `port` at the address the bot connected from. */
  createRecvTransport: botProcedure
    .meta(access("user", "meeting participant"))
    .meta(transportLimit)
    .input(botRecvTransportSchema)
    .mutation(
      meetingCall((meetings, caller, input) =>
        meetings.media(input.meetingId, input.peerId, caller, "createPlainTransport", { direction: "recv", port: input.port, ...(input.ip ? { ip: input.ip } : {}) }),
      ),
    ),
  produce: botProcedure
    .meta(access("user", "meeting participant"))
    .meta(producerLimit)
    .input(produceSchema)
    .mutation(
      meetingCall((meetings, caller, input) =>
        meetings.media(input.meetingId, input.peerId, caller, "produce", {
          transportId: input.transportId,
          kind: input.kind,
          rtpParameters: rtp(input),
          source: input.source,
          byBot: true,
        }),
      ),
    ),
  consume: botProcedure
    .meta(access("user", "meeting participant"))
    .meta(consumeLimit)
    .input(consumeSchema)
    .mutation(
      meetingCall((meetings, caller, input) =>
        meetings.media(input.meetingId, input.peerId, caller, "consume", {
          transportId: input.transportId,
          producerId: input.producerId,
          rtpCapabilities: capabilities(input),
          byBot: true,
        }),
      ),
    ),
  resumeConsumer: botProcedure
    .meta(access("user", "meeting participant"))
    .meta(consumerLimit)
    .input(consumerRef)
    .mutation(meetingCall((meetings, caller, input) => meetings.media(input.meetingId, input.peerId, caller, "resumeConsumer", { consumerId: input.consumerId, byBot: true }))),
});
