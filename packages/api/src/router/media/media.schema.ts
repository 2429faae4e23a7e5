// Shapes of the WebRTC parameters clients send. mediasoup validates them in depth; these bound their size and
// catch malformed input early with a clear BAD_REQUEST naming the field.
import { z } from "zod";
import { peerRef } from "../room/room.schema.ts";

const id = z.string().min(1).max(64);
const smallRecord = z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()]));

export const dtlsParameters = z.object({
  role: z.enum(["auto", "client", "server"]).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) }))
    .min(1)
    .max(8),
});

const rtcpFeedback = z.array(z.looseObject({ type: z.string().max(32), parameter: z.string().max(32).optional() })).max(16);

export const rtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType: z.string().max(64),
        payloadType: z.number().int().min(0).max(127),
        clockRate: z.number().int().positive(),
        channels: z.number().int().positive().optional(),
        parameters: smallRecord.optional(),
        rtcpFeedback: rtcpFeedback.optional(),
      }),
    )
    .min(1, "rtpParameters needs at least one codec")
    .max(8),
  headerExtensions: z
    .array(z.looseObject({ uri: z.string().max(256), id: z.number().int() }))
    .max(16)
    .optional(),
  encodings: z.array(z.looseObject({})).max(4, "at most 4 encodings (simulcast layers)").optional(),
  rtcp: z.looseObject({}).optional(),
});

export const rtpCapabilities = z.looseObject({
  codecs: z
    .array(z.looseObject({ mimeType: z.string().max(64), kind: z.enum(["audio", "video"]), clockRate: z.number().int().positive() }))
    .max(64)
    .optional(),
  headerExtensions: z.array(z.looseObject({})).max(64).optional(),
});

export const createTransportSchema = peerRef.extend({ direction: z.enum(["send", "recv"]) });
export const connectTransportSchema = peerRef.extend({ transportId: id, dtlsParameters });
export const produceSchema = peerRef.extend({ transportId: id, kind: z.enum(["audio", "video"]), rtpParameters, source: z.enum(["mic", "camera", "screen"]) });
export const consumeSchema = peerRef.extend({ transportId: id, producerId: id, rtpCapabilities });
export const consumerRef = peerRef.extend({ consumerId: id });
export const producerRef = peerRef.extend({ producerId: id });
export const preferredLayersSchema = consumerRef.extend({ spatialLayer: z.number().int().min(0).max(3), temporalLayer: z.number().int().min(0).max(3).optional() });
export const restartIceSchema = peerRef.extend({ transportId: id });
