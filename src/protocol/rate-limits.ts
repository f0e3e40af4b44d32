import * as z from 'zod';

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
export type RateLimitsUpdatedParams = z.infer<typeof RateLimitsUpdatedParamsSchema>;
