import type { ErrorCode } from '../protocol/error-codes.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import { listParams, type ListedThread, type ListFilters, type ListingMode } from './list-params.js';
import { isThread, pageOf } from './page-shapes.js';

/** One listed page, and where the listing goes on after it. */
export interface ListedPage {
  threads: ListedThread[];
  /** Cursor of the next page (a full mine's checkpoint keeps it once the page is written); null after the last. */
  cursorAfter: string | null;
  last: boolean;
}

/** Inputs of {@link listHome}. */
export interface ListHomeOptions {
  /** Sends one `thread/list` (with cas's retries). */
  request(params: Record<string, unknown>): Promise<RequestOutcome>;
  filters: ListFilters;
  pageSize: number;
  mode: ListingMode;
  /** Where a full listing starts (a resumed mine's cursor). */
  cursor: string | null;
  /** --since, in whole seconds: list the most recently updated first, down to this. */
  sinceSeconds: number | undefined;
  /** True when a thread already counts as seen (an incremental round stops when it finds nothing new). */
  isKnown(id: string): boolean;
  signal: AbortSignal;
  now?: () => number;
}

/** The listing ended without its last page: why, and the request's error code (if it got one). */
export class ListingFailed extends Error {
  constructor(
    message: string,
    readonly code?: ErrorCode,
  ) {
    super(message);
  }
}

async function page(options: ListHomeOptions, params: Record<string, unknown>): Promise<{ threads: ListedThread[]; next: string | null }> {
  const outcome = await options.request(params);
  const parsed = outcome.ok ? pageOf(outcome.result, isThread) : undefined;
  if (parsed === undefined) throw new ListingFailed(outcome.error?.message ?? 'thread/list returned no page', outcome.error?.code);
  return { threads: parsed.data, next: parsed.nextCursor };
}

/**
 * Lists a home page by page. A full mine goes oldest first from the cursor to the end: threads
 * made (or, sorted by update, touched) meanwhile move after the cursor and are listed too.
 * With --since it goes most recently updated first and stops below the bound; threads updated
 * while it ran moved ahead of it, so it goes round again from the top down to when the last
 * round began, until a round finds nothing new.
 */
export async function* listHome(options: ListHomeOptions): AsyncGenerator<ListedPage> {
  if (options.sinceSeconds === undefined) {
    let cursor = options.cursor;
    while (!options.signal.aborted) {
      const { threads, next } = await page(options, listParams(options.filters, options.pageSize, cursor, options.mode));
      const last = next === null || next === cursor;
      yield { threads, cursorAfter: last ? null : next, last };
      if (last) return;
      cursor = next;
    }
    return;
  }
  const now = options.now ?? (() => Date.now());
  let bound = options.sinceSeconds;
  for (;;) {
    // A round covers what changed at or after `bound`; the next one, what changed while this ran.
    const roundStart = Math.floor(now() / 1000) - 1;
    let cursor: string | null = null;
    let fresh = 0;
    for (;;) {
      if (options.signal.aborted) return;
      const { threads, next } = await page(options, listParams(options.filters, options.pageSize, cursor, options.mode, { sortKey: 'updated_at', direction: 'desc' }));
      const within = threads.filter((thread) => typeof thread.updatedAt !== 'number' || thread.updatedAt >= bound);
      fresh += within.filter((thread) => !options.isKnown(thread.id)).length;
      const end = within.length < threads.length || next === null || next === cursor;
      yield { threads: within, cursorAfter: null, last: false };
      if (end) break;
      cursor = next;
    }
    if (fresh === 0) {
      yield { threads: [], cursorAfter: null, last: true };
      return;
    }
    bound = roundStart;
  }
}
