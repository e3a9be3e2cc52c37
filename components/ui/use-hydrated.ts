import { useSyncExternalStore } from "react";

const noSubscribe = () => () => {};

/** false on the server and during hydration, true after: for output that only the browser can know (its time zone). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}
