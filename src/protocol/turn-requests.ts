import * as z from 'zod';
import { TurnSchema } from './turns.js';

/** One item of user input, e.g. `{type: "text", text}`; the other kinds (images, skills, ...) pass through. */
export const UserInputSchema = z.looseObject({ type: z.string() });
export type UserInput = z.input<typeof UserInputSchema>;

/** `turn/start` params: the thread and the input are required; overrides pass through. */
export const TurnStartParamsSchema = z.looseObject({
  threadId: z.string(),
  input: z.array(UserInputSchema),
});
export type TurnStartParams = z.input<typeof TurnStartParamsSchema>;

/** `turn/start` result: the turn, `inProgress`; it is active on the server only from its `turn/started`. */
export const TurnStartResponseSchema = z.looseObject({ turn: TurnSchema });
export type TurnStartResponse = z.infer<typeof TurnStartResponseSchema>;

/** `turn/started` notification params. */
export const TurnStartedParamsSchema = z.looseObject({ threadId: z.string(), turn: TurnSchema });
export type TurnStartedParams = z.infer<typeof TurnStartedParamsSchema>;

/**
 * `turn/steer` params: adds input to the running turn. `expectedTurnId` is required: the server
 * refuses (-32600) when it is not the active turn ("expected active turn id `x` but found `y`",
 * or "no active turn to steer").
 */
export const TurnSteerParamsSchema = z.looseObject({
  threadId: z.string(),
  expectedTurnId: z.string(),
  input: z.array(UserInputSchema),
});
export type TurnSteerParams = z.input<typeof TurnSteerParamsSchema>;

/** `turn/steer` result: the id of the turn that took the input. */
export const TurnSteerResponseSchema = z.looseObject({ turnId: z.string() });
export type TurnSteerResponse = z.infer<typeof TurnSteerResponseSchema>;

/** `turn/interrupt` params; refused (-32600 "no active turn to interrupt") before the turn's `turn/started`. */
export const TurnInterruptParamsSchema = z.looseObject({ threadId: z.string(), turnId: z.string() });
export type TurnInterruptParams = z.input<typeof TurnInterruptParamsSchema>;

/** `turn/interrupt` result: empty; the turn then completes with status `interrupted`. */
export const TurnInterruptResponseSchema = z.looseObject({});
export type TurnInterruptResponse = z.infer<typeof TurnInterruptResponseSchema>;
