import type { WorkItem, WorkSource } from './work-source.js';

/** A work source fed as work appears (e.g. threads as pages are listed). */
export interface QueueSource<I extends WorkItem> extends WorkSource<I> {
  /** Adds work. */
  push(item: I): void;
  /** No more work will be pushed: workers finish what is queued, then stop. */
  end(): void;
}

/** Hands out pushed items in order; a worker asking while it is empty waits for the next push or the end. */
export function queueSource<I extends WorkItem>(): QueueSource<I> {
  const items: I[] = [];
  const waiting: Array<(item: I | undefined) => void> = [];
  let ended = false;
  let stopped = false;
  return {
    push(item) {
      const worker = waiting.shift();
      if (worker !== undefined) worker(item);
      else items.push(item);
    },
    end() {
      ended = true;
      for (const worker of waiting.splice(0)) worker(undefined);
    },
    next() {
      if (stopped) return undefined;
      const item = items.shift();
      if (item !== undefined || ended) return item;
      return new Promise<I | undefined>((resolve) => waiting.push(resolve));
    },
    stop() {
      stopped = true;
      ended = true;
      for (const worker of waiting.splice(0)) worker(undefined);
    },
    hurry() {},
    total: undefined,
    // Pushed work is owed a result, also when no instance is left to run it.
    bounded: true,
  };
}
