"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { SessionProvider } from "next-auth/react";
import { useState, type ReactNode } from "react";
import { isPermanentError } from "@/lib/chat/api";
import { retryPauseMs } from "@/lib/keepTrying";
import { createHttpClient, trpc } from "@/lib/trpc";
import { RealtimeRefusal } from "./RealtimeRefusal";

/** A query in error is fetched again after a growing pause, unless the refusal is one a retry cannot change. */
const retryFailedQuery = (query: { state: { status: string; error: unknown; errorUpdateCount: number } }): number | false =>
  query.state.status === "error" && !isPermanentError(query.state.error) ? retryPauseMs(query.state.errorUpdateCount) : false;

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // a pane whose load failed shows the error and tries again by itself (see keepTrying.ts)
          queries: { retry: 1, refetchOnWindowFocus: false, refetchInterval: retryFailedQuery },
          mutations: { retry: false },
        },
      }),
  );
  const [trpcClient] = useState(createHttpClient);
  return (
    // The periodic /api/auth/session call re-issues the session cookie: a 7-day session that slides
    // while the app is open.
    <SessionProvider refetchInterval={30 * 60} refetchOnWindowFocus>
      <trpc.Provider client={trpcClient} queryClient={queryClient}>
        <QueryClientProvider client={queryClient}>
          {children}
          <RealtimeRefusal />
        </QueryClientProvider>
      </trpc.Provider>
    </SessionProvider>
  );
}
