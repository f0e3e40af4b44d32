import * as z from 'zod';
import { ThreadItemSchema } from './thread-items.js';

/** How a turn ended. */
export const TurnStatusSchema = z.enum(['completed', 'interrupted', 'failed', 'inProgress']);

/** Why a turn failed (or is retrying): `additionalDetails` often names the cause. */
export const TurnErrorSchema = z.looseObject({
  message: z.string(),
  additionalDetails: z.string().nullable().optional(),
  codexErrorInfo: z.unknown().optional(),
});
export type TurnError = z.infer<typeof TurnErrorSchema>;

/** The turn as `turn/start` answers it and `turn/completed` reports it; fields we read, the rest kept. */
export const TurnSchema = z.looseObject({
  id: z.string(),
  status: TurnStatusSchema,
  error: TurnErrorSchema.nullable().optional(),
  /** Its items: empty in the `turn/start` reply, all of them in `turn/completed`. */
  items: z.array(ThreadItemSchema),
  /** How much of `items` is loaded: `notLoaded`, `summary` or `full`. */
  itemsView: z.string().optional(),
  /** Unix seconds. */
  startedAt: z.number().nullable().optional(),
  completedAt: z.number().nullable().optional(),
  durationMs: z.number().nullable().optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

/** `turn/start` result. */
export const TurnStartResultSchema = z.looseObject({ turn: TurnSchema });

/** `turn/completed` notification params. */
export const TurnCompletedParamsSchema = z.looseObject({ threadId: z.string(), turn: TurnSchema });
export type TurnCompletedParams = z.infer<typeof TurnCompletedParamsSchema>;

/** Just enough of `turn/completed` to tell which turn ended, to wait on it even if the rest is malformed. */
export const TurnCompletedIdsSchema = z.looseObject({ threadId: z.string(), turn: z.looseObject({ id: z.string() }) });

/** `thread/start` result: the thread id is what we need. */
export const ThreadStartResultSchema = z.looseObject({ thread: z.looseObject({ id: z.string() }) });
