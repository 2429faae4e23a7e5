// The tab's current media engine (one meeting at a time), shared by the meeting components.
import { create } from "zustand";
import type { createEngine } from "@/lib/media";

export type Engine = ReturnType<typeof createEngine>;

export const useEngineStore = create<{ engine: Engine | null }>(() => ({ engine: null }));

export const setEngine = (engine: Engine | null) => useEngineStore.setState({ engine });
export const getEngine = () => useEngineStore.getState().engine;

/** The engine of the meeting the tab is in (components under the room only). */
export function useEngine(): Engine | null {
  return useEngineStore((s) => s.engine);
}
