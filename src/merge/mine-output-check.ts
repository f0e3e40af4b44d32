import os from 'node:os';
import { ownerOfThread } from '../mine/mine-shard.js';
import { judgeMineOutputs } from './mine-output-merge.js';
import { MergeError } from './merge-error.js';
import type { MergedMineFields } from './mine-merge.js';

/** What `--check-outputs` found in the shards' mine outputs. */
export interface MineOutputCheck {
  /** Outputs read (one per shard), lines in them, threads (home and id) they hold. */
  outputs: number;
  lines: number;
  threads: number;
  /** What is wrong (empty when every thread is in its own shard's output exactly once, as many as the reports say). */
  problems: string[];
}

/** Examples shown per kind of problem. */
const SHOWN = 3;

/** `a, b, c, …`: the first few of a list. */
function some(items: readonly string[]): string {
  return `${items.slice(0, SHOWN).join(', ')}${items.length > SHOWN ? ', …' : ''}`;
}

/**
 * Reads each shard's output (its report's `out`) and checks what the merged report says of
 * them: every line is of a home of the job and a thread its shard owns, no thread has two lines
 * across the outputs, and each home has as many whole and error lines as its shards reported.
 * Then `cat` of the outputs is the job's output. One streaming pass; memory stays bounded.
 */
export async function checkMineOutputs(merged: MergedMineFields, shardCount: number, options: { spillDir?: string } = {}): Promise<MineOutputCheck> {
  const stdout = merged.outs.filter((entry) => entry.out === null).map((entry) => entry.shard);
  if (stdout.length > 0) throw new MergeError(`--check-outputs: shard ${stdout.join(', ')} wrote its threads to stdout (no --out): there is no output to check`, 'input');
  const files = merged.outs.map((entry) => entry.out!);
  const homes = new Map(merged.homes.map((home) => [home.home, { index: home.index, whole: 0, errors: 0 }]));
  const foreignHomes = new Set<string>();
  const foreign = (home: string) => void (foreignHomes.size <= SHOWN && foreignHomes.add(home));
  // Counted, with the first few kept: a wrong split could misplace millions.
  const misplaced = { count: 0, shown: [] as string[] };
  const { summary } = await judgeMineOutputs(files, {
    spillDir: options.spillDir ?? os.tmpdir(),
    onLine: (file, key, whole) => {
      const cut = key.indexOf('\u0000');
      const [home, id] = [key.slice(0, cut), key.slice(cut + 1)];
      const entry = homes.get(home);
      if (entry === undefined) return foreign(home);
      if (whole) entry.whole++;
      else entry.errors++;
      const shard = merged.outs[file]!.shard;
      const owner = ownerOfThread(entry.index, merged.homeCount, id, shardCount);
      if (owner !== shard && misplaced.count++ < SHOWN + 1) misplaced.shown.push(`${id} (of ${home}) in shard ${shard}'s output, owned by shard ${owner}`);
    },
  });
  const problems: string[] = [];
  if (foreignHomes.size > 0) problems.push(`lines of homes not in the job: ${some([...foreignHomes])}`);
  if (misplaced.count > 0) problems.push(`${misplaced.count} line(s) of a thread another shard owns: ${some(misplaced.shown)}`);
  const extra = summary.repeated + summary.errorsReplaced;
  if (extra > 0) problems.push(`${extra} line(s) repeat a thread already in the outputs (${summary.errorsReplaced} of them an error line beside its whole thread)`);
  for (const home of merged.homes) {
    const found = homes.get(home.home)!;
    if (found.whole !== home.threads || found.errors !== home.failed) {
      problems.push(`${home.home}: the outputs hold ${found.whole} whole and ${found.errors} error line(s), its reports say ${home.threads} and ${home.failed}`);
    }
  }
  return { outputs: files.length, lines: summary.linesIn, threads: summary.threads, problems };
}
