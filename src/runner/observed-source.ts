import type { WorkItem, WorkSource } from './work-source.js';

/** What an observed source reports. */
export interface SourceWatch {
  /** Items handed out so far (warm-up included). */
  readonly taken: number;
  /** True once the source said there is no more work: what is left is draining. */
  readonly ended: boolean;
}

/** Wraps a source to count what it hands out and notice its end, for a progress display. */
export function observeSource<I extends WorkItem>(source: WorkSource<I>): { source: WorkSource<I>; watch: SourceWatch } {
  const watch = { taken: 0, ended: false };
  const seen = (item: I | undefined): I | undefined => {
    if (item === undefined) watch.ended = true;
    else watch.taken++;
    return item;
  };
  const observed: WorkSource<I> = {
    next() {
      const item = source.next();
      return item instanceof Promise ? item.then(seen) : seen(item);
    },
    stop: () => source.stop(),
    hurry: () => source.hurry(),
    get total() {
      return source.total;
    },
    get bounded() {
      return source.bounded;
    },
    ...(source.backlog === undefined ? {} : { backlog: () => source.backlog!() }),
  };
  return { source: observed, watch };
}
