// The worker threads that run the simulated clients (signaling/client-thread.ts), asked and answered by message.
import { Worker } from "node:worker_threads";
import { log, onCleanup } from "./options.ts";
import type { ClientSpec, MeetingSpec, System, ThreadInit, ThreadReply, ThreadRequest } from "./protocol.ts";

export class ClientThreads {
  private constructor(private readonly threads: Worker[]) {}

  static create(system: System, origin: string, clients: ClientSpec[], meetings: MeetingSpec[], threads: number): ClientThreads {
    const workers: Worker[] = [];
    for (let t = 0; t < threads; t++) {
      const own = meetings.filter((m) => m.index % threads === t);
      if (own.length === 0) continue;
      const ids = new Set(own.map((m) => m.index));
      const init: ThreadInit = { system, origin, clients: clients.filter((c) => ids.has(c.meeting)), meetings: own, concurrency: 25 };
      const worker = new Worker(new URL("./client-thread.ts", import.meta.url), { workerData: init });
      worker.on("error", (error) => log(`client thread error: ${error.stack ?? error.message}`));
      workers.push(worker);
    }
    const result = new ClientThreads(workers);
    onCleanup(`${system} client threads`, () => result.terminate());
    return result;
  }

  /** Sends `request` to every thread and waits for each one's reply. */
  ask(request: ThreadRequest): Promise<ThreadReply[]> {
    return Promise.all(
      this.threads.map(
        (worker) =>
          new Promise<ThreadReply>((resolve, reject) => {
            const onMessage = (reply: ThreadReply) => {
              worker.off("message", onMessage);
              worker.off("exit", onExit);
              if (reply.type === "fatal") reject(new Error(`client thread: ${reply.error}`));
              else resolve(reply);
            };
            const onExit = (code: number) => reject(new Error(`client thread exited (${code})`));
            worker.on("message", onMessage);
            worker.once("exit", onExit);
            worker.postMessage(request);
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.race([this.ask({ type: "close" }), new Promise((r) => setTimeout(r, 8000))]).catch(() => {});
    await this.terminate();
  }

  terminate(): Promise<unknown> {
    return Promise.all(this.threads.map((w) => w.terminate()));
  }
}
