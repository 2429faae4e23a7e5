// Request/response between realtime nodes over Redis pub/sub: a node calls a command on another node (the
// media owner of a meeting, or the node holding a socket) and gets its answer or its TRPCError back. The
// commands are one TypeScript interface, served by `start` and called by `call`, so both sides agree at compile
// time on each command's name, arguments and result.
//   node:{nodeId}:rpc        requests to that node
//   node:{nodeId}:rpc:reply  answers to that node's requests
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { FieldError } from "../errors.ts";
import type { Bus } from "./bus.ts";
import { logFailure } from "@qualmeet/log";
import { SpanKind } from "@opentelemetry/api";
import { currentTraceparent, inSpan, remoteParent } from "../tracing/traceContext.ts";

/** The arguments of command `K` of `Commands`. */
export type CommandArgs<Commands, K extends keyof Commands> = Commands[K] extends (...args: infer A) => unknown ? A : never;
/** What command `K` of `Commands` answers. */
export type CommandResult<Commands, K extends keyof Commands> = Commands[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Runs command `method` of `target` in this process, as `NodeRpc.call` runs it on another node. */
export async function runCommand<Commands, K extends keyof Commands>(target: Commands, method: K, args: CommandArgs<Commands, K>): Promise<CommandResult<Commands, K>> {
  // TypeScript cannot relate a method picked by a type parameter to its own arguments: the one cast of the dispatch
  const command = target[method] as (...a: CommandArgs<Commands, K>) => CommandResult<Commands, K> | Promise<CommandResult<Commands, K>>;
  return command.apply(target, args);
}

interface Request {
  id: string;
  from: string;
  method: string;
  args: unknown[];
  /** the caller's trace (W3C traceparent), when it is traced */
  tc?: string;
}

interface Reply {
  id: string;
  result?: unknown;
  error?: { code: TRPCError["code"]; message: string; field?: string | null };
}

export class NodeUnreachable extends Error {
  constructor(readonly nodeId: string) {
    super(`Realtime node ${nodeId} did not answer.`);
  }
}

export class NodeRpc<Commands extends object> {
  private readonly pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: unknown) => void; timer: NodeJS.Timeout }>();
  private handlers: Commands | null = null;
  private offs: Array<() => void> = [];

  constructor(
    private readonly bus: Bus,
    readonly nodeId: string,
  ) {}

  /** Serves `handlers` to other nodes and starts receiving answers. */
  async start(handlers: Commands): Promise<void> {
    this.handlers = handlers;
    this.offs.push(await this.bus.on(`node:${this.nodeId}:rpc`, (message) => void this.serve(message as Request)));
    await this.listen();
  }

  /** Starts receiving answers to this process's calls; alone, for a process that calls nodes but serves nothing (the web app). */
  async listen(): Promise<void> {
    this.offs.push(
      await this.bus.on(`node:${this.nodeId}:rpc:reply`, (message) => {
        const reply = message as Reply;
        const call = this.pending.get(reply.id);
        if (!call) return;
        this.pending.delete(reply.id);
        clearTimeout(call.timer);
        if (reply.error)
          call.reject(
            new TRPCError({ code: reply.error.code, message: reply.error.message, cause: reply.error.field ? new FieldError(reply.error.field, reply.error.message) : undefined }),
          );
        else call.resolve(reply.result);
      }),
    );
  }

  /** Calls `method` on node `nodeId`; rejects with NodeUnreachable when it does not answer in time. */
  call<K extends keyof Commands & string>(nodeId: string, method: K, args: CommandArgs<Commands, K>, timeoutMs = 5000): Promise<CommandResult<Commands, K>> {
    type T = CommandResult<Commands, K>;
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new NodeUnreachable(nodeId));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      const traceparent = currentTraceparent();
      const request: Request = traceparent ? { id, from: this.nodeId, method, args, tc: traceparent } : { id, from: this.nodeId, method, args };
      this.bus.publish(`node:${nodeId}:rpc`, request).catch((error: unknown) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  private serve(request: Request): Promise<void> {
    if (!request.tc) return this.answer(request);
    return inSpan(`node.rpc ${request.method}`, { kind: SpanKind.SERVER, parent: remoteParent(request.tc) }, () => this.answer(request));
  }

  private async answer(request: Request): Promise<void> {
    let reply: Reply;
    try {
      const handlers = this.handlers;
      const method = request.method as keyof Commands & string;
      if (!handlers || typeof handlers[method] !== "function") throw new TRPCError({ code: "NOT_IMPLEMENTED", message: `Unknown node method ${request.method}` });
      // the request came from a node built from the same Commands interface
      reply = { id: request.id, result: await runCommand(handlers, method, request.args as CommandArgs<Commands, typeof method>) };
    } catch (error) {
      const trpc = error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "The media owner node failed this request." });
      const field = trpc.cause instanceof FieldError ? trpc.cause.field : null;
      reply = { id: request.id, error: { code: trpc.code, message: trpc.message, field } };
    }
    await this.bus.publish(`node:${request.from}:rpc:reply`, reply).catch(logFailure("node rpc: reply not sent (the caller times out and retries)", { to: request.from }));
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    for (const call of this.pending.values()) clearTimeout(call.timer);
    this.pending.clear();
  }
}
