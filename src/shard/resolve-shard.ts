import { parseIndex, parseShardCount, ShardError, type Shard, type ShardSpec } from './shard-spec.js';

/** Where a shard's index came from. */
export type ShardSource = 'flag' | 'kubernetes' | 'slurm' | 'aws-batch';

/** A shard, and which engine (or flag) said so. */
export interface ResolvedShard extends Shard {
  source: ShardSource;
}

/** What the command line says about sharding. */
export interface ShardRequest {
  spec: ShardSpec;
  /** `--shard-count`: the task count where the engine does not give one. */
  count?: number;
  /** `--job-id`: shared by every shard of one job. */
  jobId?: string;
}

/** The variables `--shard auto` reads the task index from, in the order they are tried. */
export const INDEX_VARIABLES = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const;

type Env = Readonly<Record<string, string | undefined>>;

const MAX_JOB_ID_LENGTH = 200;

/** A job id as given: printable, not empty, not huge (it goes into every report). */
export function checkJobId(jobId: string, source: string): string {
  if (jobId.length === 0 || jobId.length > MAX_JOB_ID_LENGTH || !/^[\x21-\x7e]+$/.test(jobId)) {
    throw new ShardError(`${source} must be 1 to ${MAX_JOB_ID_LENGTH} printable characters without spaces (got ${JSON.stringify(jobId.slice(0, 60))})`);
  }
  return jobId;
}

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

function indexFrom(env: Env, name: string): number {
  const index = parseIndex(env[name]!);
  if (index === undefined) throw new ShardError(`--shard auto: ${name}=${JSON.stringify(env[name])} is not a task index`);
  return index;
}

/** The count given by `--shard-count` or CAS_SHARD_COUNT, if any. */
function givenCount(request: ShardRequest, env: Env): { count: number; source: string } | undefined {
  if (request.count !== undefined) return { count: request.count, source: '--shard-count' };
  const fromEnv = present(env, 'CAS_SHARD_COUNT');
  return fromEnv === undefined ? undefined : { count: parseShardCount(fromEnv, 'CAS_SHARD_COUNT'), source: 'CAS_SHARD_COUNT' };
}

/** The engine's count if it gives one (checked against a given one), else the given one. */
function settleCount(engineCount: { count: number; source: string } | undefined, given: { count: number; source: string } | undefined, indexVariable: string): number {
  if (engineCount !== undefined && given !== undefined && engineCount.count !== given.count) {
    throw new ShardError(`--shard auto: ${given.source} ${given.count} but ${engineCount.source} is ${engineCount.count}`);
  }
  const count = engineCount ?? given;
  if (count === undefined) throw new ShardError(`--shard auto: ${indexVariable} gives no task count: pass --shard-count N or set CAS_SHARD_COUNT`);
  return count.count;
}

function kubernetes(env: Env, given: ReturnType<typeof givenCount>, hostname: string): Omit<ResolvedShard, 'jobId'> & { engineJobId: string | null } {
  const index = indexFrom(env, 'JOB_COMPLETION_INDEX');
  const count = settleCount(undefined, given, 'JOB_COMPLETION_INDEX');
  // An Indexed Job's pods are named <job name>-<index> (their hostname).
  const suffix = `-${index}`;
  const engineJobId = hostname.endsWith(suffix) && hostname.length > suffix.length ? hostname.slice(0, -suffix.length) : null;
  return { index, count, source: 'kubernetes', engineJobId };
}

function slurm(env: Env, given: ReturnType<typeof givenCount>): Omit<ResolvedShard, 'jobId'> & { engineJobId: string | null } {
  const id = indexFrom(env, 'SLURM_ARRAY_TASK_ID');
  const min = present(env, 'SLURM_ARRAY_TASK_MIN') === undefined ? 0 : indexFrom(env, 'SLURM_ARRAY_TASK_MIN');
  const step = present(env, 'SLURM_ARRAY_TASK_STEP') === undefined ? 1 : Math.max(1, indexFrom(env, 'SLURM_ARRAY_TASK_STEP'));
  if (id < min || (id - min) % step !== 0) {
    throw new ShardError(`--shard auto: SLURM_ARRAY_TASK_ID ${id} is not MIN ${min} plus a multiple of STEP ${step}: use --shard I/N`);
  }
  const index = (id - min) / step;
  const engineCountText = present(env, 'SLURM_ARRAY_TASK_COUNT');
  const engineCount = engineCountText === undefined ? undefined : { count: parseShardCount(engineCountText, 'SLURM_ARRAY_TASK_COUNT'), source: 'SLURM_ARRAY_TASK_COUNT' };
  const maxText = present(env, 'SLURM_ARRAY_TASK_MAX');
  if (engineCount !== undefined && maxText !== undefined) {
    const max = indexFrom(env, 'SLURM_ARRAY_TASK_MAX');
    // --array=0,2,7 has no single step: task ids would not map onto 0..N-1.
    if ((max - min) / step + 1 !== engineCount.count) {
      throw new ShardError(`--shard auto: the Slurm array ${min}-${max}:${step} is not ${engineCount.count} evenly spaced tasks: use --shard I/N`);
    }
  }
  const count = settleCount(engineCount, given, 'SLURM_ARRAY_TASK_ID');
  return { index, count, source: 'slurm', engineJobId: present(env, 'SLURM_ARRAY_JOB_ID') ?? null };
}

function awsBatch(env: Env, given: ReturnType<typeof givenCount>): Omit<ResolvedShard, 'jobId'> & { engineJobId: string | null } {
  const index = indexFrom(env, 'AWS_BATCH_JOB_ARRAY_INDEX');
  const sizeText = present(env, 'AWS_BATCH_JOB_ARRAY_SIZE');
  const engineCount = sizeText === undefined ? undefined : { count: parseShardCount(sizeText, 'AWS_BATCH_JOB_ARRAY_SIZE'), source: 'AWS_BATCH_JOB_ARRAY_SIZE' };
  const count = settleCount(engineCount, given, 'AWS_BATCH_JOB_ARRAY_INDEX');
  // A child's job id is <parent id>:<index>; the parent's is what the shards share.
  const childId = present(env, 'AWS_BATCH_JOB_ID');
  const engineJobId = childId === undefined ? null : childId.replace(new RegExp(`:${index}$`), '');
  return { index, count, source: 'aws-batch', engineJobId };
}

/**
 * The shard this process is: `--shard I/N` as given, or with `--shard auto` the task index the
 * engine sets (Kubernetes Indexed Jobs, Slurm job arrays, AWS Batch array jobs) and the task
 * count (the engine's, or `--shard-count` / CAS_SHARD_COUNT). The job id is `--job-id`, else
 * CAS_JOB_ID, else (auto only) the engine's job id.
 */
export function resolveShard(request: ShardRequest, env: Env, hostname = ''): ResolvedShard {
  const explicitJobId = request.jobId !== undefined ? checkJobId(request.jobId, '--job-id') : present(env, 'CAS_JOB_ID') === undefined ? undefined : checkJobId(env.CAS_JOB_ID!, 'CAS_JOB_ID');
  if (request.spec.kind === 'fixed') {
    if (request.count !== undefined && request.count !== request.spec.count) {
      throw new ShardError(`--shard-count ${request.count} contradicts --shard ${request.spec.index}/${request.spec.count}`);
    }
    return { index: request.spec.index, count: request.spec.count, jobId: explicitJobId ?? null, source: 'flag' };
  }
  const given = givenCount(request, env);
  const variable = INDEX_VARIABLES.find((name) => present(env, name) !== undefined);
  if (variable === undefined) {
    throw new ShardError(`--shard auto: no task index in the environment (looked for ${INDEX_VARIABLES.join(', ')})`);
  }
  const found = variable === 'JOB_COMPLETION_INDEX' ? kubernetes(env, given, hostname) : variable === 'SLURM_ARRAY_TASK_ID' ? slurm(env, given) : awsBatch(env, given);
  if (found.index >= found.count) throw new ShardError(`--shard auto: ${variable} gives task ${found.index}, but there are only ${found.count} tasks`);
  const jobId = explicitJobId ?? (found.engineJobId === null ? null : checkJobId(found.engineJobId, `the ${found.source} job id`));
  return { index: found.index, count: found.count, jobId, source: found.source };
}
