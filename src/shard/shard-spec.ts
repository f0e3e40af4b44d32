/** Which share of a job's work this process does: share `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
  /** Shared by every shard of one job (so a merge can tell jobs apart), or null when none was given. */
  jobId: string | null;
}

/** What `--shard` asked for: a fixed share, or the task index the engine gives (`auto`). */
export type ShardSpec = { kind: 'fixed'; index: number; count: number } | { kind: 'auto' };

/** A shard spec, count or engine variable that makes no sense; the CLI reports it as a usage error. */
export class ShardError extends Error {
  override name = 'ShardError';
}

/** Shard counts above this are surely a typo (Kubernetes allows 100,000 indexes). */
export const MAX_SHARD_COUNT = 1_000_000;

/** The one shard of a job that is not split. */
export const WHOLE_JOB: Shard = Object.freeze({ index: 0, count: 1, jobId: null });

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A non-negative decimal integer (no sign, no exponent, no spaces), or undefined. */
export function parseIndex(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A shard count from a flag or variable: a whole number from 1 to {@link MAX_SHARD_COUNT}. */
export function parseShardCount(text: string, source: string): number {
  const count = parseIndex(text);
  if (count === undefined || count < 1 || count > MAX_SHARD_COUNT) {
    throw new ShardError(`${source} must be a whole number from 1 to ${MAX_SHARD_COUNT} (got ${JSON.stringify(text)})`);
  }
  return count;
}

/** Parses `--shard`: `I/N` (0 <= I < N) or `auto`. */
export function parseShardSpec(text: string): ShardSpec {
  const trimmed = text.trim();
  if (trimmed === 'auto') return { kind: 'auto' };
  const match = /^([^/]+)\/([^/]+)$/.exec(trimmed);
  if (match === null) throw new ShardError(`--shard must be I/N (share I of N, from 0) or auto (got ${JSON.stringify(text)})`);
  const count = parseShardCount(match[2]!, '--shard N');
  const index = parseIndex(match[1]!);
  if (index === undefined || index >= count) throw new ShardError(`--shard ${trimmed}: I must be a whole number from 0 to ${count - 1}`);
  return { kind: 'fixed', index, count };
}

/** `2/4`, or `2/4 (job 1234)`: how a shard is named in messages. */
export function describeShard(shard: Pick<Shard, 'index' | 'count' | 'jobId'>): string {
  return `${shard.index}/${shard.count}${shard.jobId === null ? '' : ` (job ${shard.jobId})`}`;
}
