// Bots without a browser: MeetingBot and the RTP tools it is built from.
export { MeetingBot, type BotJoinResult, type BotRealtimeClient, type MeetingBotOptions, type Playback, type PlayOptions, type ReceivedStream } from "./MeetingBot.ts";
export { BOT_CODECS, ffmpegPath, runFfmpeg, sendArgs, toneInput, type BotMediaKind, type FfmpegRun } from "./ffmpeg.ts";
export { isRtcp, parseRtp, type RtpPacket } from "./rtp.ts";
export { bindUdp, RtpRecorder, RtpRelay, type StreamStats } from "./rtpSockets.ts";
export { sdpFor, type SdpStream } from "./sdp.ts";
