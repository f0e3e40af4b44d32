import * as z from 'zod';

/** Node timers take at most 2^31-1 ms (about 24.8 days); a larger delay silently becomes 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;
/** Ceiling of every count flag: far above any real use, low enough that nothing sized by it can exhaust memory. */
export const MAX_COUNT = 1_000_000;
/** Ceiling of slots per instance and of instances: each is a live task (or process) for the whole run. */
export const MAX_SLOTS = 10_000;

const number = z.number({ error: 'must be a number' });
const whole = number.int({ error: 'must be a whole number' });

/** A whole number >= 1, at most {@link MAX_COUNT}. */
export const positiveInt = whole.min(1, { error: 'must be at least 1' }).max(MAX_COUNT, { error: `must be at most ${MAX_COUNT}` });

/** A whole number >= 0, at most {@link MAX_COUNT}. */
export const nonNegativeInt = whole.min(0, { error: 'must not be negative' }).max(MAX_COUNT, { error: `must be at most ${MAX_COUNT}` });

/** A number of work items (requests, lines): streamed, never held at once, so the bound is only sanity. */
export const workCount = whole.min(1, { error: 'must be at least 1' }).max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

/** A count of retries, restarts, ...: 0 or more. */
export const count = nonNegativeInt;

/** Instances, or requests in flight per instance: 1 to {@link MAX_SLOTS}. */
export const slots = whole.min(1, { error: 'must be at least 1' }).max(MAX_SLOTS, { error: `must be at most ${MAX_SLOTS}` });

/** A duration or timeout in ms: 0 or more, at most what a Node timer can wait. */
export const milliseconds = whole.min(0, { error: 'must not be negative' }).max(MAX_TIMER_MS, { error: `must be at most ${MAX_TIMER_MS} (about 24.8 days)` });

/** A duration in ms that must be at least 1. */
export const positiveMilliseconds = milliseconds.min(1, { error: 'must be at least 1' });

/** A number > 0 (seconds may be fractional). */
export const positiveNumber = number.positive({ error: 'must be greater than 0' }).max(Number.MAX_SAFE_INTEGER, { error: 'is too large' });

/** A number of seconds > 0 that a timer can wait for. */
export const positiveSeconds = number.positive({ error: 'must be greater than 0' }).max(MAX_TIMER_MS / 1000, { error: `must be at most ${Math.floor(MAX_TIMER_MS / 1000)} (about 24.8 days)` });

/** A flag given once, as a string. */
export const singleString = z.string({ error: 'must be given once, with a value' }).min(1, { error: 'must not be empty' });

/** A repeatable string flag: absent, once, or several times. */
export const repeatedString = z
  .union([z.string(), z.array(z.string())], { error: 'must be a string' })
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** Requests in flight across all instances, at most: each slot is a task held for the whole run. */
export const MAX_TOTAL_SLOTS = 100_000;

/** Slots across all instances must stay within {@link MAX_TOTAL_SLOTS}; a message for the usage error, else undefined. */
export function totalSlotsProblem(instances: number, concurrency: number, what = '--instances x --concurrency'): string | undefined {
  const total = instances * concurrency;
  return total > MAX_TOTAL_SLOTS ? `${what} is ${total} requests in flight; at most ${MAX_TOTAL_SLOTS}` : undefined;
}
