import type { RateLimitSnapshot, RateLimitsResult } from '../protocol/rate-limits.js';

export { RATE_LIMITS_READ, RATE_LIMITS_UPDATED } from './rate-limit-methods.js';

// The schemas live with the protocol (the client types `account/rateLimits/*` with them).
export {
  RateLimitWindowSchema,
  RateLimitSnapshotSchema,
  RateLimitsResultSchema,
  RateLimitsUpdatedParamsSchema,
  type RateLimitWindow,
  type RateLimitSnapshot,
  type RateLimitsResult,
} from '../protocol/rate-limits.js';

/**
 * Folds a sparse update into the last full answer: the server says a field it leaves null is
 * unknown in that update, not cleared, so only what it names replaces what was known.
 */
export function mergeRateLimits(previous: RateLimitsResult | undefined, update: RateLimitSnapshot): RateLimitsResult {
  const key = update.limitId ?? previous?.rateLimits.limitId ?? 'codex';
  const base = previous?.rateLimitsByLimitId?.[key] ?? (previous?.rateLimits.limitId === key || previous?.rateLimits.limitId == null ? previous?.rateLimits : undefined) ?? {};
  const merged: RateLimitSnapshot = { ...base };
  for (const [field, value] of Object.entries(update)) if (value !== null && value !== undefined) (merged as Record<string, unknown>)[field] = value;
  const byId = { ...(previous?.rateLimitsByLimitId ?? {}), [key]: merged };
  const single = previous === undefined || previous.rateLimits.limitId == null || previous.rateLimits.limitId === key ? merged : previous.rateLimits;
  return { ...previous, rateLimits: single, rateLimitsByLimitId: byId };
}
