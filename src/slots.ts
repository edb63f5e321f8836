/** A fixed number of slots for work that must not all run at once. */
export interface Slots {
  /**
   * Takes a slot now, or waits for one in turn: false when `waitMs` passes first, when
   * `maxWaiting` already wait, or when `signal` aborts (the caller is gone). Each true
   * must be followed by one release().
   */
  take(waitMs: number, signal?: AbortSignal): boolean | Promise<boolean>;
  release(): void;
}

/** `size` slots; at most `maxWaiting` callers wait for one, first come first served. */
export function createSlots(size: number, maxWaiting = Infinity): Slots {
  let taken = 0;
  const waiting = new Set<() => void>();
  return {
    take(waitMs, signal) {
      if (signal?.aborted === true) return false;
      if (taken < size) {
        taken += 1;
        return true;
      }
      if (waiting.size >= maxWaiting) return false;
      return new Promise<boolean>((resolve) => {
        const end = (granted: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', gone);
          waiting.delete(grant);
          resolve(granted);
        };
        // A granted slot passes straight from the releasing caller: `taken` stays as it is.
        const grant = () => end(true);
        const gone = () => end(false);
        const timer = setTimeout(gone, waitMs);
        signal?.addEventListener('abort', gone, { once: true });
        waiting.add(grant);
      });
    },
    release() {
      const next = waiting.values().next();
      if (next.done === true) taken -= 1;
      else next.value();
    },
  };
}
