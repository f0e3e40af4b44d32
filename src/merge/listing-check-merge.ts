import type { ListingCheck, ScanComparison } from '../mine/listing-check.js';
import type { ListingCheckFields } from './report-schema.js';

const COUNTS = ['rollouts', 'listed', 'unjudged', 'newer'] as const;
const DIFFERENCES = [
  ['missing', 'missingIds'],
  ['unreadable', 'unreadableIds'],
  ['listedWithoutRollout', 'listedWithoutRolloutIds'],
  ['mismatched', 'mismatchedIds'],
] as const;

/** Ids of one kind from every shard, sorted, as many as the shards showed (each shows its first 20, or all with --verify). */
function joinIds(lists: ReadonlyArray<readonly string[]>): string[] {
  return lists.flat().sort();
}

function mergeScans(scans: readonly ScanComparison[]): ScanComparison {
  return {
    listed: scans.reduce((total, scan) => total + scan.listed, 0),
    limited: scans.some((scan) => scan.limited),
    onlyInScan: scans.reduce((total, scan) => total + scan.onlyInScan, 0),
    onlyInScanIds: joinIds(scans.map((scan) => scan.onlyInScanIds)),
    onlyInIndex: scans.reduce((total, scan) => total + scan.onlyInIndex, 0),
    onlyInIndexIds: joinIds(scans.map((scan) => scan.onlyInIndexIds)),
  };
}

/**
 * One check of a home from its shards' checks of their shares (each counted only its own
 * threads, so the counts add up): null when any share's listing did not reach its end, as
 * the home's listing then did not either. It agrees only when every share agreed.
 */
export function mergeListingChecks(checks: ReadonlyArray<ListingCheckFields | null>): ListingCheck | null {
  if (checks.length === 0 || checks.some((check) => check === null)) return null;
  const all = checks as ListingCheckFields[];
  const sum = (key: (typeof COUNTS)[number] | (typeof DIFFERENCES)[number][0]) => all.reduce((total, check) => total + check[key], 0);
  const ids = (key: (typeof DIFFERENCES)[number][1]) => joinIds(all.map((check) => check[key]));
  const outsideFilters: Record<string, number> = {};
  for (const check of all) for (const [reason, count] of Object.entries(check.outsideFilters)) outsideFilters[reason] = (outsideFilters[reason] ?? 0) + count;
  return {
    against: all.every((check) => check.against === 'rollouts+scan') ? 'rollouts+scan' : 'rollouts',
    rollouts: sum('rollouts'),
    listed: sum('listed'),
    outsideFilters,
    unjudged: sum('unjudged'),
    newer: sum('newer'),
    missing: sum('missing'),
    missingIds: ids('missingIds'),
    unreadable: sum('unreadable'),
    unreadableIds: ids('unreadableIds'),
    listedWithoutRollout: sum('listedWithoutRollout'),
    listedWithoutRolloutIds: ids('listedWithoutRolloutIds'),
    mismatched: sum('mismatched'),
    mismatchedIds: ids('mismatchedIds'),
    scan: all.every((check) => check.scan !== null) ? mergeScans(all.map((check) => check.scan!)) : null,
    agrees: all.every((check) => check.agrees),
  };
}
