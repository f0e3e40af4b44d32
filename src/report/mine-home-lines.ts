import type { ListingCheck } from '../mine/listing-check.js';
import type { MinedHome } from '../mine/run-mine.js';
import { plural } from './plural.js';
import { truncate } from './truncate.js';

/** What the check of a listing found, in a few words. */
function checkWords(check: ListingCheck): string[] {
  const words: string[] = [];
  const outside = Object.entries(check.outsideFilters);
  const outsideTotal = outside.reduce((sum, [, count]) => sum + count, 0);
  const filtered = outsideTotal === 0 ? '' : ` (${outsideTotal} left out by the listing: ${outside.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
  const against = check.against === 'rollouts+scan' ? 'its rollout files and the scan listing' : 'its rollout files';
  if (check.agrees) words.push(`matches ${against}: ${plural(check.rollouts, 'rollout')}${filtered}`);
  else words.push(`DIFFERS from ${against} (${plural(check.rollouts, 'rollout')}${filtered})`);
  if (check.missing > 0) words.push(`${check.missing} on disk but not listed (missing from the server's index?), written after all (${check.missingIds.slice(0, 3).join(', ')}${check.missing > 3 ? ', …' : ''})`);
  if (check.unreadable > 0) words.push(`${check.unreadable} on disk that the server cannot read (${check.unreadableIds.slice(0, 3).join(', ')}${check.unreadable > 3 ? ', …' : ''})`);
  if (check.listedWithoutRollout > 0) words.push(`${check.listedWithoutRollout} listed with no rollout file`);
  if (check.mismatched > 0) words.push(`${check.mismatched} listed whose rollout disagrees with the listing`);
  if (check.unjudged > 0) words.push(`${check.unjudged} not listed and not judged (--search-term)`);
  if (check.newer > 0) words.push(`${check.newer} made after the listing began and not listed (the next mine's)`);
  if (check.scan !== null) {
    const scan = check.scan;
    words.push(`scan listing: ${scan.listed}${scan.limited ? ' (stopped at its limit: newest only)' : ''}, ${scan.onlyInScan} only in the scan, ${scan.onlyInIndex} only in the index`);
  }
  return words;
}

/** A merged report's home says which shards mined it (see MergedMinedHome). */
function shardsOf(home: MinedHome): number[] | undefined {
  const shards = (home as { shards?: unknown }).shards;
  return Array.isArray(shards) ? (shards as number[]) : undefined;
}

/** ` by shard 1, 2` for a merged home some shards did not finish. */
function unfinishedBy(home: MinedHome): string {
  const unfinished = (home as { unfinished?: unknown }).unfinished;
  return Array.isArray(unfinished) && unfinished.length > 0 ? ` by shard${unfinished.length === 1 ? '' : 's'} ${unfinished.join(', ')}` : '';
}

/** One line (or a few) per home: how far it got, and how its listing compared with its rollouts. */
export function mineHomeLines(homes: readonly MinedHome[]): string[] {
  const lines: string[] = [];
  for (const home of homes) {
    const state = home.done ? 'done' : home.error !== null ? `stopped: ${truncate(home.error)}` : `not finished${unfinishedBy(home)}`;
    const failed = home.failed > 0 ? `, ${plural(home.failed, 'read')} failed (a resume reads them again)` : '';
    const retry = home.retry.length > 0 ? `, ${home.retry.length} left to read again` : '';
    const share = home.share !== 'split' ? '' : shardsOf(home) === undefined ? ' (the threads this shard owns by id)' : ` (split by thread id over ${shardsOf(home)!.length} shards)`;
    lines.push(`  ${home.home}${share}: ${plural(home.threads, 'thread')} in ${plural(home.pages, 'page')}, ${state}${failed}${retry}`);
    if (home.check !== null) for (const words of checkWords(home.check)) lines.push(`    ${words}`);
  }
  return lines;
}
