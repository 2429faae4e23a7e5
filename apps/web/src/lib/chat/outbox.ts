// Messages typed but not yet accepted by the server. They are kept in localStorage (a reload or a crash keeps
// them) and sent one at a time in the order written, each with its client id: a retry of a send that did reach
// the server returns the same message, so nothing is stored or shown twice.
import type { ChatMessage } from "./types";

export interface UnsentMessage {
  clientId: string;
  conversationId: string;
  body: string;
  replyToId: string | null;
  replyTo: ChatMessage["replyTo"];
  queuedAt: number;
  /** sending: first attempt under way; retrying: an attempt failed, it goes out again by itself;
   * failed: the server refused it for good (e.g. you left the conversation) */
  state: "sending" | "retrying" | "failed";
  error: string | null;
}

export interface OutboxOptions {
  storage: Pick<Storage, "getItem" | "setItem"> | null;
  storageKey: string;
  send(message: UnsentMessage): Promise<ChatMessage>;
  /** whether a refusal is final (bad input, no access) rather than a failure worth retrying */
  isPermanent(error: unknown): boolean;
  describe(error: unknown): string;
  onChange(messages: UnsentMessage[]): void;
  onSent(message: ChatMessage): void;
  /** false while the socket is down: the attempt then waits in the client's queue and shows as retrying */
  isConnected?(): boolean;
  /** an attempt with no answer after this long counts as failed (the socket may be half-dead) */
  timeoutMs?: number;
}

const MAX_RETRY_DELAY_MS = 15_000;

export class Outbox {
  private messages: UnsentMessage[];
  private inFlight: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: OutboxOptions) {
    this.messages = load(options);
    // whatever a previous page left unsent is retried, not presented as being sent right now
    for (const m of this.messages) if (m.state === "sending") m.state = "retrying";
  }

  list(): UnsentMessage[] {
    return this.messages;
  }

  add(input: { conversationId: string; body: string; replyTo: ChatMessage["replyTo"] }): UnsentMessage {
    const message: UnsentMessage = {
      clientId: crypto.randomUUID(),
      conversationId: input.conversationId,
      body: input.body,
      replyToId: input.replyTo?.id ?? null,
      replyTo: input.replyTo,
      queuedAt: Date.now(),
      state: this.messages.some((m) => m.state === "retrying") ? "retrying" : "sending",
      error: null,
    };
    this.messages = [...this.messages, message];
    this.changed();
    this.flush();
    return message;
  }

  /** Sends the oldest unsent message now (after a reconnect or when the user asks), then the rest. */
  flush(): void {
    if (this.closed || this.inFlight) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const next = this.messages.find((m) => m.state !== "failed");
    if (!next) return;
    this.inFlight = next.clientId;
    if (this.options.isConnected && !this.options.isConnected() && next.state === "sending") this.update(next.clientId, { state: "retrying", error: "Not connected." });
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      this.failed(next.clientId, new Error("No answer from the server."));
    }, timeoutMs);
    this.options.send(next).then(
      (sent) => {
        clearTimeout(timer);
        // a late answer after the timeout still counts: the message went through
        this.delivered(sent, next.clientId);
        if (!settled) {
          settled = true;
          this.failures = 0;
          this.inFlight = null;
          this.flush();
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        if (this.options.isPermanent(error)) {
          this.update(next.clientId, { state: "failed", error: this.options.describe(error) });
          this.inFlight = null;
          this.flush();
        } else {
          this.failed(next.clientId, error);
        }
      },
    );
  }

  /** The server's copy arrived (as the answer or as a live event): the message is no longer unsent. */
  delivered(message: ChatMessage, clientId = message.clientId): void {
    if (!this.messages.some((m) => m.clientId === clientId)) return;
    this.messages = this.messages.filter((m) => m.clientId !== clientId);
    this.changed();
    this.options.onSent(message);
  }

  retry(clientId: string): void {
    this.update(clientId, { state: "retrying", error: null });
    this.flush();
  }

  discard(clientId: string): void {
    this.messages = this.messages.filter((m) => m.clientId !== clientId);
    this.changed();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private failed(clientId: string, error: unknown): void {
    this.update(clientId, { state: "retrying", error: this.options.describe(error) });
    this.inFlight = null;
    this.failures++;
    const delay = Math.min(1000 * 2 ** (this.failures - 1), MAX_RETRY_DELAY_MS);
    if (!this.closed) this.retryTimer = setTimeout(() => this.flush(), delay);
  }

  private update(clientId: string, patch: Partial<UnsentMessage>): void {
    this.messages = this.messages.map((m) => (m.clientId === clientId ? { ...m, ...patch } : m));
    this.changed();
  }

  private changed(): void {
    try {
      this.options.storage?.setItem(this.options.storageKey, JSON.stringify(this.messages));
    } catch {
      // storage full or blocked: the queue still works for this page
    }
    this.options.onChange(this.messages);
  }
}

function load(options: OutboxOptions): UnsentMessage[] {
  try {
    const raw = options.storage?.getItem(options.storageKey);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as UnsentMessage[]).filter((m) => typeof m?.clientId === "string" && typeof m.body === "string") : [];
  } catch {
    return [];
  }
}
