import { history, search } from "../../chat/conversations.ts";
import type { ChatHistoryPage, ChatMessage } from "../../chat/types.ts";
import type { Context, SessionUser } from "../../trpc.ts";
import type { HistoryInput, SearchInput } from "./history.schema.ts";

type Ctx = Context & { user: SessionUser };

/** Newest first, keyset on (createdAt, id); includes messages still on their way to the database. */
export function historyHandler({ ctx, input }: { ctx: Ctx; input: HistoryInput }): Promise<ChatHistoryPage> {
  return history(ctx, ctx.user.id, input.conversationId, input.cursor, input.limit);
}

export function searchHandler({ ctx, input }: { ctx: Ctx; input: SearchInput }): Promise<ChatMessage[]> {
  return search(ctx, ctx.user.id, input.conversationId, input.query);
}
