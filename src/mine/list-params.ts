import { z } from 'zod';

/** The `thread/list` filters a mine passes through. */
export interface ListFilters {
  archived?: boolean;
  sourceKinds?: string[];
  modelProviders?: string[];
  cwd?: string | string[];
  searchTerm?: string;
  sortKey?: 'created_at' | 'updated_at' | 'recency_at';
  /**
   * List from the server's SQLite index only, without scanning rollout files: far faster on a
   * big home; a rollout the index does not hold (the server backfills it at start) is missed.
   */
  stateDbOnly?: boolean;
}

/** A `thread/list` page: the ids we follow and the cursor; the threads themselves pass through whole. */
export const ThreadListPageSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
  nextCursor: z.string().nullable().optional(),
});
export type ThreadListPage = z.infer<typeof ThreadListPageSchema>;

/** `thread/read` result: the full thread. */
export const ThreadReadResultSchema = z.looseObject({ thread: z.looseObject({ id: z.string() }) });

/**
 * The params of one page. Oldest first: a thread created (or, with an updated_at sort, touched)
 * while mining moves to the end of the order, after the cursor, so it is still listed, never
 * skipped; seeing a thread twice is harmless, it is written once.
 */
export function listParams(filters: ListFilters, pageSize: number, cursor: string | null): Record<string, unknown> {
  const params: Record<string, unknown> = { limit: pageSize, sortKey: filters.sortKey ?? 'created_at', sortDirection: 'asc' };
  if (cursor !== null) params.cursor = cursor;
  if (filters.archived !== undefined) params.archived = filters.archived;
  if (filters.sourceKinds !== undefined) params.sourceKinds = filters.sourceKinds;
  if (filters.modelProviders !== undefined) params.modelProviders = filters.modelProviders;
  if (filters.cwd !== undefined) params.cwd = filters.cwd;
  if (filters.searchTerm !== undefined) params.searchTerm = filters.searchTerm;
  if (filters.stateDbOnly === true) params.useStateDbOnly = true;
  return params;
}
