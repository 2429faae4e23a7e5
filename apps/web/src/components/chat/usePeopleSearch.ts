"use client";

import { useEffect, useState } from "react";
import { trpc } from "@/lib/trpc";

/** user.search for what is typed, once typing pauses. */
export function usePeopleSearch(text: string) {
  const [query, setQuery] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim().slice(0, 100)), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const result = trpc.user.search.useQuery({ query }, { enabled: query.length > 0, staleTime: 10_000 });
  return { query, people: query ? (result.data ?? []) : [], searching: result.isFetching, error: result.error };
}
