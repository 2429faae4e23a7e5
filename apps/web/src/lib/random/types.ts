// The shapes of random chat as the realtime router declares them, and the words the page shows for their values.
// Labels are Records over the server's own unions: a value added there fails the typecheck here until it has words.
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { TRPCClient } from "@trpc/client";
import type { RealtimeRouter } from "@qualmeet/api";

type Inputs = inferRouterInputs<RealtimeRouter>;
type Outputs = inferRouterOutputs<RealtimeRouter>;

export type RandomClient = TRPCClient<RealtimeRouter>;
/** all fields given (the schema defaults interests and textOnly; the page always sends them) */
export type Preferences = Required<Inputs["random"]["start"]["preferences"]>;
export type Region = Preferences["region"];
export type Reaction = Inputs["random"]["react"]["emoji"];
export type ReportReason = Inputs["moderation"]["report"]["reason"];
export type PressOutcome = Outputs["random"]["start"];
export type BanNotice = Extract<PressOutcome, { status: "banned" }>["ban"];
export type ModerationNotice = Outputs["moderation"]["notices"]["notices"][number];
type EventsSubscribe = RandomClient["random"]["events"]["subscribe"];
export type RandomEvent = Parameters<NonNullable<Parameters<EventsSubscribe>[1]["onData"]>>[0];
export type MatchedEvent = Extract<RandomEvent, { type: "matched" }>;
export type PeerSignal = Extract<RandomEvent, { type: "signal" }>["signal"];

export const REGION_LABELS: Record<Region, string> = {
  europe: "Europe",
  "north-america": "North America",
  "south-america": "South America",
  asia: "Asia",
  africa: "Africa",
  oceania: "Oceania",
};

/** The languages offered (ISO 639-1, as the schema requires); the server accepts any two-letter code. */
export const LANGUAGES: Record<string, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  it: "Italiano",
  pt: "Português",
  nl: "Nederlands",
  pl: "Polski",
  tr: "Türkçe",
  ru: "Русский",
  ar: "العربية",
  hi: "हिन्दी",
  ja: "日本語",
  zh: "中文",
};

export const REACTION_LABELS: Record<Reaction, string> = {
  "👍": "Thumbs up",
  "👋": "Wave",
  "😂": "Laughing",
  "❤️": "Heart",
  "😮": "Surprised",
  "👏": "Applause",
};

export const REPORT_REASON_LABELS: Record<ReportReason, string> = {
  nudity: "Nudity or sexual content",
  harassment: "Harassment",
  spam: "Spam or advertising",
  underage: "Under 18",
  hate: "Hate speech",
  other: "Something else",
};

export const MAX_INTERESTS = 5;
