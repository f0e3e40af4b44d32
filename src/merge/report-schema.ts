import * as z from 'zod';
import { MAX_SHARD_COUNT } from '../shard/shard-spec.js';

const count = z.number().int().min(0);
const ms = z.number().min(0);

const ShardSchema = z
  .object({ index: count, count: z.number().int().min(1).max(MAX_SHARD_COUNT), jobId: z.string().nullable() })
  .refine((shard) => shard.index < shard.count, { error: 'shard.index must be below shard.count' });

/** The fields every cas report has that a merge reads (others pass through where they can). */
export const BaseReportSchema = z.looseObject({
  codex: z.looseObject({ path: z.string(), source: z.string(), userAgent: z.string().nullable() }),
  instances: z.looseObject({
    requested: count,
    started: count,
    restarts: count,
    failed: z.array(z.looseObject({ index: count, error: z.string() })),
  }),
  requests: z.looseObject({ total: count, ok: count, failed: count, retries: count, overloaded: count, timedOut: count }),
  errors: z.array(z.looseObject({ code: z.union([z.number(), z.string()]), message: z.string(), count })),
  latencyMs: z.looseObject({ min: ms, mean: ms, max: ms }),
  histogram: z.string(),
  wallMs: ms,
  startupWallMs: ms,
  startedAt: z.iso.datetime(),
  phaseStartedAt: z.iso.datetime(),
  shard: ShardSchema,
  interrupted: z.boolean(),
  serverRequests: z.array(z.looseObject({ method: z.string(), decision: z.string(), fellBackFrom: z.string().optional(), count })),
  mockModel: z
    .looseObject({ url: z.string(), requests: count, toolFollowUps: count, byKind: z.record(z.string(), count), rejected: count })
    .nullable(),
  perInstance: z.array(z.looseObject({ index: count })),
  timeline: z.array(
    z.looseObject({ second: count, sent: count, completed: count, errors: count, overloaded: count.optional(), min: ms.nullable().optional(), max: ms.nullable().optional(), servers: z.array(z.unknown()).optional() }),
  ),
  timelineHistograms: z.array(z.string().nullable()),
  serverSampling: z.looseObject({ intervalMs: ms, sources: z.array(z.enum(['proc', 'diagnostics'])), samples: count, costMs: ms }).nullable().optional(),
});

/** `cas run`'s own fields. */
export const RunFieldsSchema = z.looseObject({
  method: z.string(),
  params: z.unknown(),
  rate: z.number().positive().nullable(),
  measuredTo: z.enum(['reply', 'turn/completed']),
  warmup: z.looseObject({ ms, total: count, ok: count, failed: count }),
  thresholds: z.array(z.looseObject({ name: z.enum(['max-p99-ms', 'max-error-rate']), limit: z.number() })),
  startAt: z.string().nullable(),
  stoppedBecause: z.string().nullable().optional(),
  samples: z.array(z.looseObject({})),
});

/** `cas batch`'s own fields. */
export const BatchFieldsSchema = z.looseObject({
  lines: z.looseObject({ read: count, requests: count, bad: count, written: count }),
  stoppedEarly: z.boolean(),
  outputError: z.string().nullable().optional(),
});

export type BaseReportFields = z.infer<typeof BaseReportSchema>;
export type RunFields = z.infer<typeof RunFieldsSchema>;
export type BatchFields = z.infer<typeof BatchFieldsSchema>;
