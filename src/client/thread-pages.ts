/** One page of a `.../list` method: its entries and the cursor of the next page (null or absent on the last). */
export interface Page<T> {
  data: readonly T[];
  nextCursor?: string | null;
}

/** Fetches the page at `cursor` (null: the first). */
export type FetchPage<T> = (cursor: string | null) => Promise<Page<T>>;

/**
 * Yields every entry of every page (e.g. the threads of `thread/list`), following `nextCursor`
 * until it is null or absent. A page whose `nextCursor` is the cursor it was fetched with ends
 * the walk, so a server that stops advancing cannot loop it forever. Pages are fetched one at a
 * time, as the reader asks.
 */
export async function* followThreadPages<T>(fetchPage: FetchPage<T>, firstCursor: string | null = null): AsyncGenerator<T, void, undefined> {
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    const next = page.nextCursor ?? null;
    if (next === null || next === cursor) return;
    cursor = next;
  }
}
