import * as z from 'zod';
import { JsonlFileWriter } from '../../report/records-writer.js';
import type { ThresholdCheck } from '../../report/thresholds.js';
import { CompareFlagsSchema } from '../options/compare-options.js';
import { milliseconds, nonNegativeInt, positiveMilliseconds, positiveNumber, positiveSeconds, singleString, slots, workCount } from '../options/flag-schemas.js';
import { lockOutput } from '../options/output-files.js';
import { MockModelFlagsSchema } from '../options/mock-model-options.js';
import { policyFlagsSchema } from '../options/policy-options.js';
import { RequestFlagsSchema } from '../options/request-options.js';
import { ServerStatsFlagsSchema } from '../options/server-stats-options.js';
import { ShardFlagsSchema } from '../options/shard-options.js';
import { BudgetFlagsSchema } from '../options/budget-options.js';
import { shareOfRate, shareOfTotal } from '../../shard/shard-share.js';
import type { Shard } from '../../shard/shard-spec.js';
import { SessionFlagsSchema } from '../options/session-options.js';
import { UsageError } from '../usage-error.js';

/** Validation of every `cas run` flag. */
export const RunOptionsSchema = SessionFlagsSchema.extend(RequestFlagsSchema.shape)
  .extend(MockModelFlagsSchema.shape)
  .extend(policyFlagsSchema(false).shape)
  .extend(ServerStatsFlagsSchema.shape)
  .extend(CompareFlagsSchema.shape)
  .extend(ShardFlagsSchema.shape)
  .extend(BudgetFlagsSchema.shape)
  .extend({
    instances: slots,
    requests: workCount.optional(),
    duration: positiveSeconds.optional(),
    concurrency: slots,
    rate: positiveNumber.optional(),
    warmup: positiveSeconds.optional(),
    startAt: singleString.optional(),
    maxP99Ms: positiveNumber.optional(),
    maxErrorRate: z.number({ error: 'must be a number' }).min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).optional(),
    threadParams: singleString.optional(),
    freshThread: z.boolean(),
    turnTimeoutMs: positiveMilliseconds,
    json: z.boolean(),
    out: singleString.optional(),
    html: singleString.optional(),
    csv: singleString.optional(),
    records: singleString.optional(),
    samples: nonNegativeInt,
    verbose: z.boolean(),
    clientPrefix: singleString.optional(),
    serverRequestTimeoutMs: milliseconds.optional(),
    progress: z.boolean(),
  });

export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** The load `cas run` flags describe, as options of {@link runMethod} (less the session); `shard` takes its share. */
export function loadOptions(options: RunOptions, threadParams: Record<string, unknown>, shard?: Shard) {
  return {
    instances: options.instances,
    // --requests and --rate are the whole job's: a shard does its share.
    requests: options.requests === undefined || shard === undefined ? options.requests : shareOfTotal(options.requests, shard),
    durationMs: options.duration === undefined ? undefined : options.duration * 1000,
    warmupMs: options.warmup === undefined ? undefined : options.warmup * 1000,
    rate: options.rate === undefined || shard === undefined ? options.rate : shareOfRate(options.rate, shard),
    concurrency: options.concurrency,
    thresholds: { maxP99Ms: options.maxP99Ms, maxErrorRate: options.maxErrorRate },
    turns: { threadParams, freshThread: options.freshThread, turnTimeoutMs: options.turnTimeoutMs },
    samples: options.samples,
    serverStats: options.serverStats,
  };
}

/** A crossed threshold, in words. */
export function describeCheck(check: ThresholdCheck): string {
  return check.name === 'max-p99-ms'
    ? `p99 ${check.actual} ms > --max-p99-ms ${check.limit}`
    : `error rate ${check.actual} > --max-error-rate ${check.limit}`;
}

/** The --records file, locked against a second run writing it at once (released when closed); one that cannot be opened is a usage error. */
export async function openRecords(file: string): Promise<{ write(record: unknown): void; close(): Promise<void> }> {
  const lock = await lockOutput({ flag: '--records', file });
  let writer: JsonlFileWriter;
  try {
    writer = await JsonlFileWriter.open(file);
  } catch (error) {
    await lock?.release();
    throw new UsageError(`--records ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return {
    write: (record) => writer.write(record),
    close: () => writer.close().finally(() => lock?.release()),
  };
}
