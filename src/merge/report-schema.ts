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

const ids = z.array(z.string());

/** How a mine's listing compared with its rollouts (ListingCheck). */
const ListingCheckSchema = z.looseObject({
  against: z.enum(['rollouts', 'rollouts+scan']),
  rollouts: count,
  listed: count,
  outsideFilters: z.record(z.string(), count),
  unjudged: count,
  newer: count,
  missing: count,
  missingIds: ids,
  unreadable: count,
  unreadableIds: ids,
  listedWithoutRollout: count,
  listedWithoutRolloutIds: ids,
  mismatched: count,
  mismatchedIds: ids,
  scan: z.looseObject({ listed: count, limited: z.boolean(), onlyInScan: count, onlyInScanIds: ids, onlyInIndex: count, onlyInIndexIds: ids }).nullable(),
  agrees: z.boolean(),
});

/** One home's line of a mine report (MinedHome). */
const MinedHomeSchema = z.looseObject({
  home: z.string().min(1),
  index: count,
  share: z.enum(['whole', 'split']),
  cursor: z.string().nullable(),
  listed: z.boolean(),
  done: z.boolean(),
  pages: count,
  threads: count,
  failed: count,
  retry: ids,
  error: z.string().nullable(),
  check: ListingCheckSchema.nullable(),
});

/** `cas mine`'s own fields. */
export const MineFieldsSchema = z.looseObject({
  homes: z.array(MinedHomeSchema),
  threads: z.looseObject({ listed: count, read: count, failed: count, written: count }),
  homeCount: z.number().int().min(1),
  read: z.boolean(),
  items: z.enum(['full', 'summary', 'none']),
  listing: z.enum(['index', 'scan']),
  filters: z.record(z.string(), z.unknown()),
  since: z.string().nullable(),
  listingStartedAt: z.iso.datetime(),
  out: z.string().nullable(),
  checkpoint: z.string().nullable(),
  resumed: z.boolean(),
});

export type MineFields = z.infer<typeof MineFieldsSchema>;
export type MinedHomeFields = z.infer<typeof MinedHomeSchema>;
export type ListingCheckFields = z.infer<typeof ListingCheckSchema>;
