// Chat as clients see it: conversations, messages, calls and the live events of `chat.events`.
// Shared with the web app (types only) through @qualmeet/api.

export type ConversationKind = "DIRECT" | "GROUP" | "MEETING";
export type MemberRole = "ADMIN" | "MEMBER";
export type CallKind = "AUDIO" | "VIDEO";
export type CallStatus = "RINGING" | "ONGOING" | "ENDED" | "MISSED" | "DECLINED" | "CANCELLED";

export interface ChatUser {
  id: string;
  name: string;
  isGuest: boolean;
}

export interface ChatMessage {
  id: string;
  conversationId: string;
  clientId: string;
  sender: ChatUser;
  /** "" when deleted */
  body: string;
  replyTo: { id: string; body: string; senderName: string } | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

export interface ConversationMemberInfo extends ChatUser {
  role: MemberRole;
  online: boolean;
  lastSeenAt: Date | null;
  /** createdAt of the newest message this member has read ("seen by"), null before the first read */
  lastReadAt: Date | null;
}

export interface ConversationSummary {
  id: string;
  kind: ConversationKind;
  /** a DM's title is the other member's name */
  title: string;
  members: ConversationMemberInfo[];
  lastMessage: ChatMessage | null;
  lastMessageAt: Date | null;
  unread: number;
  myRole: MemberRole;
  meetingCode: string | null;
}

export interface CallInfo {
  id: string;
  conversationId: string;
  kind: CallKind;
  from: ChatUser;
  meetingCode: string;
  startedAt: Date;
  conversationTitle: string;
}

export interface CallEntry {
  id: string;
  kind: CallKind;
  status: CallStatus;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  startedBy: ChatUser;
}

export type CallEndStatus = "ANSWERED" | "DECLINED" | "MISSED" | "CANCELLED" | "ENDED";

export type ChatEvent =
  | { type: "message.new"; message: ChatMessage }
  | { type: "message.edited"; message: ChatMessage }
  | { type: "message.deleted"; message: ChatMessage }
  /** never stored; not sent to the typer */
  | { type: "typing"; conversationId: string; user: ChatUser }
  /** a member read up to `messageId` (receipts) */
  | { type: "read"; conversationId: string; userId: string; messageId: string; readAt: Date }
  /** the reader's own tabs and devices: the new unread count */
  | { type: "unread"; conversationId: string; unread: number }
  /** created, renamed, members added or removed */
  | { type: "conversation.updated"; conversation: ConversationSummary }
  /** you were removed or left: nothing more of this conversation reaches you */
  | { type: "conversation.removed"; conversationId: string }
  | { type: "presence"; userId: string; online: boolean; lastSeenAt: Date | null }
  /** to every tab and device of every callee */
  | { type: "call.ringing"; call: CallInfo }
  | { type: "call.ended"; callId: string; conversationId: string; status: CallEndStatus; answeredOnOtherDevice?: boolean }
  /** you were invited to a group, or answered an invitation: read chat.invitations again */
  | { type: "invitations.changed" };

/** A group that asks you to (re)join it; nothing of it is visible until you accept. */
export interface ConversationInvitation {
  conversationId: string;
  title: string;
  invitedBy: ChatUser;
  memberCount: number;
  createdAt: Date;
}

/** Someone you blocked. */
export interface BlockedUser {
  id: string;
  name: string;
  blockedAt: Date;
}

export interface ChatHistoryPage {
  messages: ChatMessage[];
  calls: CallEntry[];
  nextCursor: string | null;
}
