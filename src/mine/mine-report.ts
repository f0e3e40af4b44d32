import type { BaseReport } from '../report/base-report.js';
import type { HomeProgress } from './checkpoint.js';
import type { ListingCheck } from './listing-check.js';
import type { ListFilters, ListingMode } from './list-params.js';
import type { ShardHome } from './mine-shard.js';
import type { ItemsMode } from './thread-reader.js';

/** One home's line in the report. */
export interface MinedHome extends HomeProgress {
  /** Its place in the job's list of homes. */
  index: number;
  /** `whole`: every thread of it was this mine's; `split`: only those this shard owns by id (`--shard` with fewer homes than shards). */
  share: ShardHome['share'];
  /** Why it was not mined to the end, if it was not. */
  error: string | null;
  /** How its listing compared with its rollout files; null when the listing did not reach its end. */
  check: ListingCheck | null;
}

/** The summary of a mine. */
export interface MineReport extends BaseReport {
  homes: MinedHome[];
  /** This run: new threads listed, threads read whole, reads that failed, lines written. */
  threads: { listed: number; read: number; failed: number; written: number };
  /** Homes of the whole job (with `--shard`, this shard's are in `homes`). */
  homeCount: number;
  read: boolean;
  items: ItemsMode;
  listing: ListingMode;
  filters: ListFilters;
  since: string | null;
  /** When the listing began (a resumed mine keeps the first run's): `--since` this report to mine what changed after. */
  listingStartedAt: string;
  out: string | null;
  checkpoint: string | null;
  resumed: boolean;
}

/** True when every home was mined to the end, its listing agreed with its rollouts, every read worked and every instance started. */
export function mineIsWhole(report: Pick<MineReport, 'homes' | 'requests' | 'instances'>): boolean {
  const homes = report.homes.every((home) => home.done && home.check?.agrees !== false && home.failed === 0 && home.retry.length === 0);
  return homes && report.requests.failed === 0 && report.instances.failed.length === 0;
}
