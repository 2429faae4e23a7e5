// Calls any procedure by its path, with any input, the way a client puts it on the wire: tRPC over HTTP to
// the web app (appRouter) and tRPC over one WebSocket to a realtime node (realtimeRouter). The authorization
// matrix and the fuzzing tests use these instead of the typed clients: they call procedures found by walking
// the routers, and send inputs no typed client would (wrong types, `__proto__` keys, lone surrogates).
import WebSocket from "ws";
import type { ProcedureType } from "./procedures.ts";

/** What one call came back with: a result, or a tRPC error's code (and the HTTP status for HTTP calls). */
export interface CallOutcome {
  ok: boolean;
  /** tRPC error code, e.g. "FORBIDDEN"; for subscriptions "ok" means a first value came, or it stayed open */
  code: string | null;
  message: string | null;
  /** HTTP status of the response (HTTP calls), or null */
  status: number | null;
  /** the result (its superjson `json`), for building fixtures from what a call answered */
  data?: unknown;
}

/** Inputs travel as superjson's `{ json }` without meta: plain JSON arrives as it was sent. */
const envelope = (input: unknown) => (input === undefined ? {} : { json: input });

interface ErrorShape {
  message?: string;
  code?: number;
  data?: { code?: string; httpStatus?: number };
}

const fromError = (error: ErrorShape | undefined, status: number | null): CallOutcome => ({
  ok: false,
  code: error?.data?.code ?? "UNKNOWN",
  message: error?.message ?? null,
  status,
});

/** tRPC over HTTP (the web app's /api/trpc), as a program calls it: JSON bodies, a session cookie or none. */
export class HttpCaller {
  constructor(
    private readonly webUrl: string,
    private readonly cookie = "",
  ) {}

  async call(type: ProcedureType, path: string, input: unknown): Promise<CallOutcome> {
    const headers: Record<string, string> = this.cookie ? { cookie: this.cookie } : {};
    let res: Response;
    if (type === "query") {
      const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(envelope(input)))}`;
      res = await fetch(`${this.webUrl}/api/trpc/${path}${query}`, { headers });
    } else {
      res = await fetch(`${this.webUrl}/api/trpc/${path}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(envelope(input)),
      });
    }
    const text = await res.text();
    let body = null as { result?: { data?: { json?: unknown } }; error?: { json?: ErrorShape } } | null;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not tRPC's answer (e.g. a 431 for a URL too long): the status says it
    }
    if (body?.error) return fromError(body.error.json, res.status);
    if (res.ok && body?.result) return { ok: true, code: null, message: null, status: res.status, data: body.result.data?.json };
    return { ok: false, code: `HTTP_${res.status}`, message: text.slice(0, 200), status: res.status };
  }
  /**
   * Several calls of one procedure in one request (tRPC's HTTP batch: `?batch=1`), each answered on its own. A
   * query batch travels in the URL: keep it small (the server refuses a URL over ~16 kB with 431).
   */
  async batch(type: Exclude<ProcedureType, "subscription">, path: string, inputs: unknown[]): Promise<CallOutcome[]> {
    const headers: Record<string, string> = this.cookie ? { cookie: this.cookie } : {};
    const payload = JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, envelope(input)])));
    const url = `${this.webUrl}/api/trpc/${inputs.map(() => path).join(",")}?batch=1`;
    const res =
      type === "query"
        ? await fetch(`${url}&input=${encodeURIComponent(payload)}`, { headers })
        : await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: payload });
    const text = await res.text();
    let items = null as Array<{ result?: { data?: { json?: unknown } }; error?: { json?: ErrorShape } }> | null;
    try {
      items = JSON.parse(text) as typeof items;
    } catch {
      // not tRPC's answer: the status says it for every call of the batch
    }
    if (!Array.isArray(items) || items.length !== inputs.length) {
      return inputs.map(() => ({ ok: false, code: `HTTP_${res.status}`, message: text.slice(0, 200), status: res.status }));
    }
    return items.map((item) =>
      item.error
        ? fromError(item.error.json, item.error.json?.data?.httpStatus ?? res.status)
        : { ok: true, code: null, message: null, status: res.status, data: item.result?.data?.json },
    );
  }
}

interface Pending {
  type: ProcedureType;
  resolve(outcome: CallOutcome): void;
  settle?: NodeJS.Timeout;
}

/**
 * One realtime socket, opened as a page at `origin` opens it (with its cookie or none), answering each request by
 * id. A subscription counts as allowed once it sends a first value, or stays open `settleMs` after the node
 * started it without an error (a relation check runs inside the subscription, after "started").
 */
export class SocketCaller {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed: Promise<void>;
  /** the close code when the node closed the socket (4401 unauthenticated, 4413 too many requests...) */
  closeCode: number | null = null;

  private constructor(
    private readonly ws: WebSocket,
    private readonly settleMs: number,
  ) {
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("close", (code) => {
      this.closeCode = code;
      for (const [, request] of this.pending) request.resolve({ ok: false, code: `CLOSED_${code}`, message: "socket closed", status: null });
      this.pending.clear();
    });
    ws.on("message", (raw: Buffer) => this.receive(raw.toString("utf8")));
  }

  static async open(wsUrl: string, options: { origin: string; cookie?: string; settleMs?: number }): Promise<SocketCaller> {
    const headers: Record<string, string> = { origin: options.origin };
    if (options.cookie) headers.cookie = options.cookie;
    const ws = new WebSocket(wsUrl, { headers, maxPayload: 64 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    // generous: a relation check that answers later than this on a busy machine would read as allowed
    return new SocketCaller(ws, options.settleMs ?? 5000);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private receive(text: string): void {
    if (text === "PING") return this.ws.send("PONG");
    const message = JSON.parse(text) as { id: number | null; result?: { type?: string; data?: { json?: unknown } }; error?: { json?: ErrorShape } };
    if (message.id === null) return;
    const request = this.pending.get(message.id);
    if (!request) return;
    if (message.error) return this.finish(message.id, fromError(message.error.json, null));
    const kind = message.result?.type;
    if (request.type !== "subscription" || kind === "data" || kind === undefined)
      return this.finish(message.id, { ok: true, code: null, message: null, status: null, data: message.result?.data?.json });
    if (kind === "started") {
      request.settle = setTimeout(() => this.finish(message.id!, { ok: true, code: null, message: null, status: null }), this.settleMs);
    }
    if (kind === "stopped") this.finish(message.id, { ok: true, code: null, message: null, status: null });
  }

  private finish(id: number, outcome: CallOutcome): void {
    const request = this.pending.get(id);
    if (!request) return;
    this.pending.delete(id);
    clearTimeout(request.settle);
    // a subscription is not kept: the matrix only needs to know it was allowed
    if (request.type === "subscription" && this.isOpen) this.ws.send(JSON.stringify({ id, method: "subscription.stop" }));
    request.resolve(outcome);
  }

  /** Sends several requests in one message (a tRPC batch) and answers each one's outcome, in order. */
  batch(requests: Array<{ type: ProcedureType; path: string; input: unknown }>): Promise<CallOutcome[]> {
    if (!this.isOpen) return Promise.resolve(requests.map(() => ({ ok: false, code: `CLOSED_${this.closeCode}`, message: "socket closed", status: null })));
    const outcomes = requests.map(({ type }) => {
      const id = this.nextId++;
      return { id, outcome: new Promise<CallOutcome>((resolve) => this.pending.set(id, { type, resolve })) };
    });
    const messages = requests.map(({ type, path, input }, i) => ({ id: outcomes[i]!.id, method: type, params: { path, input: envelope(input) } }));
    this.ws.send(JSON.stringify(messages.length === 1 ? messages[0] : messages));
    return Promise.all(outcomes.map((o) => o.outcome));
  }

  async call(type: ProcedureType, path: string, input: unknown): Promise<CallOutcome> {
    const [outcome] = await this.batch([{ type, path, input }]);
    return outcome!;
  }

  /** Sends a frame as it is (not a tRPC message): for tests of what the node does with malformed frames. */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Resolves when the socket is closed (by either side). */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}
