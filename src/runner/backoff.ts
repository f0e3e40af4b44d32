import { setTimeout as delay } from 'node:timers/promises';

/** Exponential backoff bounds. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay (attempt 0), in ms. */
  baseMs: number;
  /** Largest ceiling any retry may reach, in ms. */
  maxMs: number;
}

/** Upper bound of the delay before retry number `attempt` (0-based): min(max, base * 2^attempt). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.baseMs * 2 ** attempt);
}

/**
 * "Full jitter": a delay drawn uniformly from [0, ceiling], so clients that were refused together
 * do not come back together.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  return random() * backoffCeilingMs(attempt, options);
}

/** Waits `ms`; resolves early (without throwing) when `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
