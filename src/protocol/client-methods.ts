import * as z from 'zod';
import { ExperimentalFeatureListParamsSchema, ExperimentalFeatureListResponseSchema } from './experimental-features.js';
import { ModelListParamsSchema, ModelListResponseSchema } from './models.js';
import { RateLimitsResultSchema } from './rate-limits.js';
import {
  ThreadItemsListParamsSchema,
  ThreadItemsListResponseSchema,
  ThreadLoadedListParamsSchema,
  ThreadLoadedListResponseSchema,
  ThreadReadParamsSchema,
  ThreadReadResponseSchema,
  ThreadTurnsListParamsSchema,
  ThreadTurnsListResponseSchema,
} from './thread-reads.js';
import {
  ThreadListParamsSchema,
  ThreadListResponseSchema,
  ThreadResumeParamsSchema,
  ThreadResumeResponseSchema,
  ThreadStartParamsSchema,
  ThreadStartResponseSchema,
} from './threads.js';
import {
  TurnInterruptParamsSchema,
  TurnInterruptResponseSchema,
  TurnStartParamsSchema,
  TurnStartResponseSchema,
  TurnSteerParamsSchema,
  TurnSteerResponseSchema,
} from './turn-requests.js';

// The client requests cas types (codex 0.169.0), checked against the server's schema by a drift
// test: what may be sent, and what the reply holds. Any other method can still be requested,
// with `unknown` params and result.

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const NoParamsSchema = z.looseObject({});

/** Method -> its params schema (what we may send) and result schema (what we parse). */
export const CLIENT_METHODS = {
  'thread/start': method(ThreadStartParamsSchema, ThreadStartResponseSchema),
  'thread/resume': method(ThreadResumeParamsSchema, ThreadResumeResponseSchema),
  'thread/list': method(ThreadListParamsSchema, ThreadListResponseSchema),
  'thread/read': method(ThreadReadParamsSchema, ThreadReadResponseSchema),
  'thread/loaded/list': method(ThreadLoadedListParamsSchema, ThreadLoadedListResponseSchema),
  'thread/turns/list': method(ThreadTurnsListParamsSchema, ThreadTurnsListResponseSchema),
  'thread/items/list': method(ThreadItemsListParamsSchema, ThreadItemsListResponseSchema),
  'turn/start': method(TurnStartParamsSchema, TurnStartResponseSchema),
  'turn/steer': method(TurnSteerParamsSchema, TurnSteerResponseSchema),
  'turn/interrupt': method(TurnInterruptParamsSchema, TurnInterruptResponseSchema),
  'model/list': method(ModelListParamsSchema, ModelListResponseSchema),
  'experimentalFeature/list': method(ExperimentalFeatureListParamsSchema, ExperimentalFeatureListResponseSchema),
  'account/rateLimits/read': method(NoParamsSchema, RateLimitsResultSchema),
} as const;

/** A request method whose params and result cas types. */
export type ClientMethod = keyof typeof CLIENT_METHODS;

/** What `M` takes as params: typed for a known method, `unknown` for any other. */
export type ClientParams<M extends string> = M extends ClientMethod ? z.input<(typeof CLIENT_METHODS)[M]['params']> : unknown;

/** What `M` answers: typed (and checked) for a known method, `unknown` for any other. */
export type ClientResult<M extends string> = M extends ClientMethod ? z.output<(typeof CLIENT_METHODS)[M]['result']> : unknown;

/** True when cas has schemas for `name`. */
export function isClientMethod(name: string): name is ClientMethod {
  return Object.hasOwn(CLIENT_METHODS, name);
}
