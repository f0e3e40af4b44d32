import * as z from 'zod';
import type { Notification } from './messages.js';
import { RateLimitsUpdatedParamsSchema } from './rate-limits.js';
import { ThreadItemSchema } from './thread-items.js';
import { ThreadSchema } from './threads.js';
import { ErrorNotificationParamsSchema } from './turn-errors.js';
import { TurnStartedParamsSchema } from './turn-requests.js';
import { TurnCompletedParamsSchema } from './turns.js';

// The params of the notifications people handle (codex 0.169.0), checked against the server's
// schema by a drift test. A method not listed here still arrives, with `params: unknown`.

/** `item/started` and `item/completed`: one item of a turn, whole. */
export const ItemStartedParamsSchema = z.looseObject({ item: ThreadItemSchema, threadId: z.string(), turnId: z.string(), startedAtMs: z.number() });
export const ItemCompletedParamsSchema = z.looseObject({ item: ThreadItemSchema, threadId: z.string(), turnId: z.string(), completedAtMs: z.number() });

/** A streamed piece of an item (agent message text, command output, reasoning). */
const DeltaParamsSchema = z.looseObject({ threadId: z.string(), turnId: z.string(), itemId: z.string(), delta: z.string() });
export const ReasoningSummaryDeltaParamsSchema = DeltaParamsSchema.extend({ summaryIndex: z.number().int() });
export const ReasoningTextDeltaParamsSchema = DeltaParamsSchema.extend({ contentIndex: z.number().int() });

/** Tokens of one turn (`last`) and of the whole thread (`total`). */
const TokenUsageBreakdownSchema = z.looseObject({
  totalTokens: z.number(),
  inputTokens: z.number(),
  cachedInputTokens: z.number(),
  outputTokens: z.number(),
  reasoningOutputTokens: z.number(),
});
export const TokenUsageUpdatedParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  tokenUsage: z.looseObject({ total: TokenUsageBreakdownSchema, last: TokenUsageBreakdownSchema, modelContextWindow: z.number().nullable().optional() }),
});

const ThreadIdParamsSchema = z.looseObject({ threadId: z.string() });

/** Notification method -> the schema of its params. */
export const NOTIFICATION_PARAMS = {
  error: ErrorNotificationParamsSchema,
  'thread/started': z.looseObject({ thread: ThreadSchema }),
  'thread/status/changed': z.looseObject({ threadId: z.string(), status: z.looseObject({ type: z.string() }) }),
  'thread/name/updated': z.looseObject({ threadId: z.string(), threadName: z.string().nullable().optional() }),
  'thread/archived': ThreadIdParamsSchema,
  'thread/unarchived': ThreadIdParamsSchema,
  'thread/closed': ThreadIdParamsSchema,
  'thread/tokenUsage/updated': TokenUsageUpdatedParamsSchema,
  'turn/started': TurnStartedParamsSchema,
  'turn/completed': TurnCompletedParamsSchema,
  'turn/diff/updated': z.looseObject({ threadId: z.string(), turnId: z.string(), diff: z.string() }),
  'turn/plan/updated': z.looseObject({
    threadId: z.string(),
    turnId: z.string(),
    explanation: z.string().nullable().optional(),
    plan: z.array(z.looseObject({ step: z.string(), status: z.string() })),
  }),
  'item/started': ItemStartedParamsSchema,
  'item/completed': ItemCompletedParamsSchema,
  'item/agentMessage/delta': DeltaParamsSchema,
  'item/commandExecution/outputDelta': DeltaParamsSchema,
  'item/reasoning/summaryTextDelta': ReasoningSummaryDeltaParamsSchema,
  'item/reasoning/textDelta': ReasoningTextDeltaParamsSchema,
  'serverRequest/resolved': z.looseObject({ threadId: z.string(), requestId: z.union([z.string(), z.number().int()]) }),
  'account/rateLimits/updated': RateLimitsUpdatedParamsSchema,
  warning: z.looseObject({ message: z.string(), threadId: z.string().nullable().optional() }),
  configWarning: z.looseObject({ summary: z.string(), details: z.string().nullable().optional() }),
  deprecationNotice: z.looseObject({ summary: z.string(), details: z.string().nullable().optional() }),
} as const satisfies Record<string, z.ZodType>;

/** A notification method whose params cas types. */
export type NotificationMethod = keyof typeof NOTIFICATION_PARAMS;

/** The params of `M`'s notifications: typed for a known method, `unknown` for any other. */
export type NotificationParams<M extends string> = M extends NotificationMethod ? z.output<(typeof NOTIFICATION_PARAMS)[M]> : unknown;

/** A notification of method `M`: `params` typed for a known method; any other keeps `params?: unknown`. */
export type TypedNotification<M extends string> = M extends NotificationMethod ? { method: M; params: NotificationParams<M> } : Notification;

/** Every known notification, discriminated by `method`. */
export type KnownNotification = TypedNotification<NotificationMethod>;

/** True when cas has a schema for `method`'s params. */
export function isNotificationMethod(method: string): method is NotificationMethod {
  return Object.hasOwn(NOTIFICATION_PARAMS, method);
}
