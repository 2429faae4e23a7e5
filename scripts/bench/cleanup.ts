// What a benchmark started (databases, servers, temporary folders), stopped in reverse order on success, on
// errors and on Ctrl-C, so a run never leaves processes behind.

export interface Cleanup {
  onCleanup(name: string, fn: () => Promise<unknown>): void;
  /**
   * Runs the benchmark, cleans up, and exits 0 (or 1 on an error); a run that hangs is stopped after
   * `timeoutMs`, so it never hangs a terminal or CI.
   */
  run(main: () => Promise<void>, timeoutMs: number): void;
}

export function benchCleanup(log: (message: string) => void): Cleanup {
  const cleanups: Array<{ name: string; fn: () => Promise<unknown> }> = [];
  // every registered clean-up once, newest first; later calls get the same promise
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const { name, fn } of cleanups.splice(0).reverse()) {
        await fn().catch((error: unknown) => log(`clean-up of ${name} failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    })());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const run = (main: () => Promise<void>, timeoutMs: number) => {
    setTimeout(() => {
      log("timed out");
      void cleanup().finally(() => process.exit(1));
    }, timeoutMs).unref();
    main()
      .then(
        () => 0,
        (error: unknown) => {
          console.error(error);
          return 1;
        },
      )
      .then(async (code) => {
        await cleanup();
        process.exit(code);
      });
  };
  return { onCleanup: (name, fn) => void cleanups.push({ name, fn }), run };
}
