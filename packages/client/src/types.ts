// The routers' types, re-exported for developers: what each procedure takes and returns. Types only: nothing of
// the server's code is in the client at run time (bundle.test.ts checks the built files).
export type {
  AppRouter,
  RealtimeRouter,
  RouterInputs,
  RouterOutputs,
  RealtimeRouterInputs as RealtimeInputs,
  RealtimeRouterOutputs as RealtimeOutputs,
  MeetingEvent,
  PeerInfo,
  ChatEvent,
  ChatMessage,
  ConversationSummary,
} from "@qualmeet/api";
