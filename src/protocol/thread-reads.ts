import * as z from 'zod';
import { ThreadItemSchema } from './thread-items.js';
import { ThreadSchema } from './threads.js';
import { TurnSchema } from './turns.js';

/** Paging of the `.../list` methods: the cursor of the page (null: the first) and its size. */
const paging = {
  cursor: z.string().nullable().optional(),
  limit: z.number().int().min(0).nullable().optional(),
};
/** What a page ends with: the next cursor (null on the last page) and the one to page back. */
const pageEnd = {
  nextCursor: z.string().nullable().optional(),
  backwardsCursor: z.string().nullable().optional(),
};

/** `thread/read` params; `includeTurns` hydrates the whole history (deprecated for paginated threads: page with `thread/turns/list`). */
export const ThreadReadParamsSchema = z.looseObject({ threadId: z.string(), includeTurns: z.boolean().optional() });
export type ThreadReadParams = z.input<typeof ThreadReadParamsSchema>;
export const ThreadReadResponseSchema = z.looseObject({ thread: ThreadSchema });
export type ThreadReadResponse = z.infer<typeof ThreadReadResponseSchema>;

/** `thread/loaded/list`: the ids of the threads loaded in the server's memory. */
export const ThreadLoadedListParamsSchema = z.looseObject({ ...paging });
export type ThreadLoadedListParams = z.input<typeof ThreadLoadedListParamsSchema>;
export const ThreadLoadedListResponseSchema = z.looseObject({ data: z.array(z.string()), nextCursor: z.string().nullable().optional() });
export type ThreadLoadedListResponse = z.infer<typeof ThreadLoadedListResponseSchema>;

/** `thread/turns/list`: a thread's turns, a page at a time; `itemsView` says how much of each turn's items to include. */
export const ThreadTurnsListParamsSchema = z.looseObject({
  threadId: z.string(),
  ...paging,
  itemsView: z.enum(['notLoaded', 'summary', 'full']).nullable().optional(),
  sortDirection: z.enum(['asc', 'desc']).nullable().optional(),
});
export type ThreadTurnsListParams = z.input<typeof ThreadTurnsListParamsSchema>;
export const ThreadTurnsListResponseSchema = z.looseObject({ data: z.array(TurnSchema), ...pageEnd });
export type ThreadTurnsListResponse = z.infer<typeof ThreadTurnsListResponseSchema>;

/** `thread/items/list`: a thread's items (or one turn's), a page at a time. */
export const ThreadItemsListParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string().nullable().optional(),
  ...paging,
  sortDirection: z.enum(['asc', 'desc']).nullable().optional(),
});
export type ThreadItemsListParams = z.input<typeof ThreadItemsListParamsSchema>;
/** One listed item and the turn it belongs to; `outputDeferred` when its saved output was left out. */
export const ThreadItemEntrySchema = z.looseObject({ turnId: z.string(), item: ThreadItemSchema, outputDeferred: z.boolean().optional() });
export const ThreadItemsListResponseSchema = z.looseObject({ data: z.array(ThreadItemEntrySchema), ...pageEnd });
export type ThreadItemsListResponse = z.infer<typeof ThreadItemsListResponseSchema>;
