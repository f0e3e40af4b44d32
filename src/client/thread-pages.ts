import type { Thread, ThreadListResponse } from '../protocol/threads.js';

/** Fetches the `thread/list` page at `cursor` (null: the first). */
export type FetchThreadPage = (cursor: string | null) => Promise<ThreadListResponse>;

/**
 * Yields every thread of every page, following `nextCursor` until it is null or absent. A page
 * whose `nextCursor` is the cursor it was fetched with ends the walk, so a server that stops
 * advancing cannot loop it forever. Pages are fetched one at a time, as the reader asks.
 */
export async function* followThreadPages(fetchPage: FetchThreadPage, firstCursor: string | null = null): AsyncGenerator<Thread, void, undefined> {
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    const next = page.nextCursor ?? null;
    if (next === null || next === cursor) return;
    cursor = next;
  }
}
