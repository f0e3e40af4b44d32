import os from 'node:os';
import type { Argv } from 'yargs';
import * as z from 'zod';
import { resolveShard, type ResolvedShard } from '../../shard/resolve-shard.js';
import { parseShardSpec, ShardError } from '../../shard/shard-spec.js';
import { UsageError } from '../usage-error.js';
import { positiveInt, singleString } from './flag-schemas.js';

const SHARD = 'Sharding (one task of a cluster job; merge with cas merge):';

/** `--shard`, `--shard-count`, `--job-id`: this process does one share of a job split over N tasks. */
export function withShardOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('shard', { type: 'string', group: SHARD, describe: 'Do share I of N (0-based, I/N), or auto: the task index of a Kubernetes Indexed Job, Slurm job array or AWS Batch array job' })
    .option('shard-count', { type: 'number', group: SHARD, describe: 'With --shard auto: how many tasks, where the engine does not say (Kubernetes); default $CAS_SHARD_COUNT' })
    .option('job-id', { type: 'string', group: SHARD, describe: 'An id every shard of the job shares (default $CAS_JOB_ID, else the engine\'s job id)' });
}

/** Validation of {@link withShardOptions}. */
export const ShardFlagsSchema = z.object({
  shard: singleString.optional(),
  shardCount: positiveInt.optional(),
  jobId: singleString.optional(),
});
export type ShardFlags = z.infer<typeof ShardFlagsSchema>;

/** The shard the flags (and, with `--shard auto`, the environment) say this process is; undefined without `--shard`. */
export function resolveShardFlags(flags: ShardFlags, env: NodeJS.ProcessEnv = process.env, hostname = os.hostname()): ResolvedShard | undefined {
  if (flags.shard === undefined) {
    if (flags.shardCount !== undefined) throw new UsageError('--shard-count needs --shard auto');
    if (flags.jobId !== undefined) throw new UsageError('--job-id needs --shard');
    return undefined;
  }
  try {
    return resolveShard({ spec: parseShardSpec(flags.shard), count: flags.shardCount, jobId: flags.jobId }, env, hostname);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(error.message);
    throw error;
  }
}
