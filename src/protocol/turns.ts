import * as z from 'zod';

/** How a turn ended. */
export const TurnStatusSchema = z.enum(['completed', 'interrupted', 'failed', 'inProgress']);

/** The turn as `turn/start` answers it and `turn/completed` reports it; fields we read, the rest kept. */
export const TurnSchema = z.looseObject({
  id: z.string(),
  status: TurnStatusSchema,
  error: z.looseObject({ message: z.string() }).nullable().optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

/** `turn/start` result. */
export const TurnStartResultSchema = z.looseObject({ turn: TurnSchema });

/** `turn/completed` notification params. */
export const TurnCompletedParamsSchema = z.looseObject({ threadId: z.string(), turn: TurnSchema });
export type TurnCompletedParams = z.infer<typeof TurnCompletedParamsSchema>;

/** `thread/start` result: the thread id is what we need. */
export const ThreadStartResultSchema = z.looseObject({ thread: z.looseObject({ id: z.string() }) });
