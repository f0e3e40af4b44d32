import * as z from 'zod';
import { TurnSchema } from './turns.js';

/** A thread as the server sends it: the fields people read, every other one kept. */
export const ThreadSchema = z.looseObject({
  id: z.string(),
  /** Usually the first user message. */
  preview: z.string(),
  /** Unix seconds. */
  createdAt: z.number(),
  updatedAt: z.number(),
  cwd: z.string(),
  modelProvider: z.string(),
  /** `notLoaded`, `idle`, `systemError`, or `active` (with `activeFlags`). */
  status: z.looseObject({ type: z.string() }),
  /** Filled only by `thread/resume`, `thread/fork` and `thread/read` with `includeTurns`; else empty. */
  turns: z.array(TurnSchema),
  /** The user-facing title, if any. */
  name: z.string().nullable().optional(),
  /** The rollout file (unstable). */
  path: z.string().nullable().optional(),
});
export type Thread = z.infer<typeof ThreadSchema>;

/** `thread/start` params: every field is optional; the common ones are named, the rest pass through. */
export const ThreadStartParamsSchema = z.looseObject({
  /** Working directory of the thread (default: the server's). */
  cwd: z.string().nullable().optional(),
  /** Model override. */
  model: z.string().nullable().optional(),
  /** `untrusted`, `on-request`, `never`, or `{granular: {...}}`. */
  approvalPolicy: z.union([z.enum(['untrusted', 'on-request', 'never']), z.looseObject({ granular: z.record(z.string(), z.boolean()) })]).nullable().optional(),
  /** An in-memory thread that is never persisted. */
  ephemeral: z.boolean().nullable().optional(),
});
export type ThreadStartParams = z.input<typeof ThreadStartParamsSchema>;

/** `thread/start` result. */
export const ThreadStartResponseSchema = z.looseObject({ thread: ThreadSchema });
export type ThreadStartResponse = z.infer<typeof ThreadStartResponseSchema>;

/**
 * `thread/resume` params. On codex 0.169.0 resuming by `threadId` needs the thread persisted: a
 * thread with no turn yet fails with -32600 "no rollout found for thread id ...".
 */
export const ThreadResumeParamsSchema = z.looseObject({
  threadId: z.string(),
  /** Only metadata and live state, no `thread.turns` (full-history hydration is deprecated). */
  excludeTurns: z.boolean().optional(),
});
export type ThreadResumeParams = z.input<typeof ThreadResumeParamsSchema>;

/** `thread/resume` result. */
export const ThreadResumeResponseSchema = z.looseObject({ thread: ThreadSchema });
export type ThreadResumeResponse = z.infer<typeof ThreadResumeResponseSchema>;

/** `thread/list` params without paging (`limit`, `cursor`): filters and sort, passed through. */
export const ThreadListFiltersSchema = z.looseObject({
  archived: z.boolean().nullable().optional(),
  modelProviders: z.array(z.string()).nullable().optional(),
  searchTerm: z.string().nullable().optional(),
  sortKey: z.enum(['created_at', 'updated_at', 'recency_at', 'section_position']).nullable().optional(),
  sortDirection: z.enum(['asc', 'desc']).nullable().optional(),
});
export type ThreadListFilters = z.input<typeof ThreadListFiltersSchema>;

/** `thread/list` params: filters, a page size (default 25, at most 100) and the cursor of the page. */
export const ThreadListParamsSchema = ThreadListFiltersSchema.extend({
  limit: z.number().int().min(0).nullable().optional(),
  cursor: z.string().nullable().optional(),
  /** List from the state database only: fast, and past the scan's 10,000 threads. */
  useStateDbOnly: z.boolean().optional(),
});
export type ThreadListParams = z.input<typeof ThreadListParamsSchema>;

/** One `thread/list` page; `nextCursor` is null (or absent) on the last one. */
export const ThreadListResponseSchema = z.looseObject({
  data: z.array(ThreadSchema),
  nextCursor: z.string().nullable().optional(),
  /** The cursor to pass with the opposite `sortDirection` to page back. */
  backwardsCursor: z.string().nullable().optional(),
});
export type ThreadListResponse = z.infer<typeof ThreadListResponseSchema>;
