// The chat's shapes as the API defines them (packages/api/src/chat/types.ts); the browser imports types only.
import type { RouterOutputs } from "@qualmeet/api";

export type { CallEntry, CallInfo, ChatEvent, ChatMessage, ChatUser, ConversationKind, ConversationMemberInfo as Member, ConversationSummary } from "@qualmeet/api";

export type Contact = RouterOutputs["user"]["contacts"][number];
