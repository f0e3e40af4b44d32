import * as z from 'zod';

/** Every `ThreadSourceKind` of codex 0.169.0: a mine asks for all of them unless told otherwise. */
export const ALL_SOURCE_KINDS = ['cli', 'vscode', 'exec', 'appServer', 'subAgent', 'subAgentReview', 'subAgentCompact', 'subAgentThreadSpawn', 'subAgentOther', 'unknown'] as const;
export type SourceKind = (typeof ALL_SOURCE_KINDS)[number];

/**
 * How a home is listed. `index`: the server's SQLite index (`useStateDbOnly`), about 15 ms a page
 * whatever the home's size, complete when the index is. `scan`: the server reads rollout files
 * for every page; oldest first that grows with the square of the home, and on codex 0.169.0 it
 * stops after 10,000 threads. Either way the listing is checked against the rollout files.
 */
export type ListingMode = 'index' | 'scan';

/** The `thread/list` filters a mine passes through (validated again when a checkpoint is read). */
export const ListFiltersSchema = z.strictObject({
  archived: z.boolean().optional(),
  /** Default: every kind (the server's own default is interactive sources only). */
  sourceKinds: z.array(z.enum(ALL_SOURCE_KINDS)).min(1).optional(),
  /** Default: every provider (the server's own default is the provider its config names). */
  modelProviders: z.array(z.string()).min(1).optional(),
  cwd: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  searchTerm: z.string().optional(),
  sortKey: z.enum(['created_at', 'updated_at', 'recency_at']).optional(),
});
export type ListFilters = z.infer<typeof ListFiltersSchema>;

/** A `thread/list` page: the ids we follow and the cursor; the threads themselves pass through whole. */
export const ThreadListPageSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
  nextCursor: z.string().nullable().optional(),
});
export type ThreadListPage = z.infer<typeof ThreadListPageSchema>;
export type ListedThread = ThreadListPage['data'][number];

/** `thread/read` result: the full thread. */
export const ThreadReadResultSchema = z.looseObject({ thread: z.looseObject({ id: z.string() }) });

/** Where a listing goes: oldest first to the end, or (with --since) most recently updated first. */
export interface ListOrder {
  sortKey: 'created_at' | 'updated_at' | 'recency_at';
  direction: 'asc' | 'desc';
}

/**
 * The params of one page. A full mine lists oldest first: a thread created (or, with an
 * updated_at sort, touched) while mining moves to the end of the order, after the cursor, so it
 * is still listed, never skipped; seeing a thread twice is harmless, it is written once.
 */
export function listParams(filters: ListFilters, pageSize: number, cursor: string | null, mode: ListingMode = 'index', order?: ListOrder): Record<string, unknown> {
  const params: Record<string, unknown> = {
    limit: pageSize,
    sortKey: order?.sortKey ?? filters.sortKey ?? 'created_at',
    sortDirection: order?.direction ?? 'asc',
    sourceKinds: filters.sourceKinds ?? [...ALL_SOURCE_KINDS],
    // Present but empty means every provider.
    modelProviders: filters.modelProviders ?? [],
  };
  if (cursor !== null) params.cursor = cursor;
  if (filters.archived !== undefined) params.archived = filters.archived;
  if (filters.cwd !== undefined) params.cwd = filters.cwd;
  if (filters.searchTerm !== undefined) params.searchTerm = filters.searchTerm;
  if (mode === 'index') params.useStateDbOnly = true;
  return params;
}
