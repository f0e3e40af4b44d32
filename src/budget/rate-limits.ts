import * as z from 'zod';

/** The method that reads the account's rate limits, and the notification that updates them. */
export const RATE_LIMITS_READ = 'account/rateLimits/read';
export const RATE_LIMITS_UPDATED = 'account/rateLimits/updated';

/** One rate-limit window: the share used, its length and when it resets (Unix seconds). */
export const RateLimitWindowSchema = z.looseObject({
  usedPercent: z.number(),
  windowDurationMins: z.number().int().nullable().optional(),
  resetsAt: z.number().int().nullable().optional(),
});
export type RateLimitWindow = z.infer<typeof RateLimitWindowSchema>;

/** One bucket of limits (e.g. `codex`): a short (primary) and a long (secondary) window. */
export const RateLimitSnapshotSchema = z.looseObject({
  limitId: z.string().nullable().optional(),
  limitName: z.string().nullable().optional(),
  planType: z.string().nullable().optional(),
  primary: RateLimitWindowSchema.nullable().optional(),
  secondary: RateLimitWindowSchema.nullable().optional(),
});
export type RateLimitSnapshot = z.infer<typeof RateLimitSnapshotSchema>;

/** The answer to `account/rateLimits/read`: one bucket, and every bucket by limit id. */
export const RateLimitsResultSchema = z.looseObject({
  rateLimits: RateLimitSnapshotSchema,
  rateLimitsByLimitId: z.record(z.string(), RateLimitSnapshotSchema).nullable().optional(),
});
export type RateLimitsResult = z.infer<typeof RateLimitsResultSchema>;

/** The params of `account/rateLimits/updated`: a sparse update of one bucket. */
export const RateLimitsUpdatedParamsSchema = z.looseObject({ rateLimits: RateLimitSnapshotSchema });

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
