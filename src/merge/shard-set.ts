import type { Shard } from '../shard/shard-spec.js';

/** One input of a merge and the shard it says it is. */
export interface ShardEntry {
  file: string;
  shard: Shard;
}

/** `0-2, 5, 7-9`: indexes as ranges, cut short past `max` ranges. */
export function formatIndexes(indexes: readonly number[], max = 10): string {
  const ranges: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    ranges.push(i === j ? `${indexes[i]}` : `${indexes[i]}-${indexes[j]}`);
    i = j + 1;
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')}, ... (${indexes.length} in all)` : ranges.join(', ');
}

const jobName = (jobId: string | null) => (jobId === null ? 'no job id' : `job ${jobId}`);

/**
 * What keeps these inputs from being one whole job with each shard once: shards of different
 * counts or jobs, a shard given twice, shards missing. Empty when they are exactly one job.
 */
export function shardSetProblems(entries: readonly ShardEntry[]): string[] {
  if (entries.length === 0) return ['no reports'];
  const first = entries[0]!;
  const problems: string[] = [];
  const otherCount = entries.find((entry) => entry.shard.count !== first.shard.count);
  if (otherCount !== undefined) {
    problems.push(`shards of different splits: ${first.file} is shard ${first.shard.index}/${first.shard.count}, ${otherCount.file} is ${otherCount.shard.index}/${otherCount.shard.count}`);
  }
  const otherJob = entries.find((entry) => entry.shard.jobId !== first.shard.jobId);
  if (otherJob !== undefined) {
    problems.push(`shards of different jobs: ${first.file} is of ${jobName(first.shard.jobId)}, ${otherJob.file} of ${jobName(otherJob.shard.jobId)}`);
  }
  if (problems.length > 0) return problems;
  const byIndex = new Map<number, string[]>();
  for (const entry of entries) byIndex.set(entry.shard.index, [...(byIndex.get(entry.shard.index) ?? []), entry.file]);
  for (const [index, files] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    if (files.length > 1) problems.push(`shard ${index}/${first.shard.count} given ${files.length} times (${files.join(', ')})`);
  }
  const missing: number[] = [];
  for (let index = 0; index < first.shard.count; index++) if (!byIndex.has(index)) missing.push(index);
  if (missing.length > 0) problems.push(`missing shard${missing.length === 1 ? '' : 's'} ${formatIndexes(missing)} of ${first.shard.count} (${jobName(first.shard.jobId)})`);
  return problems;
}
