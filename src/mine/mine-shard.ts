import { homeShare, ownsKey, shardOfKey } from '../shard/shard-share.js';
import type { Shard } from '../shard/shard-spec.js';

/** One home of a sharded mine, as this shard mines it. */
export interface ShardHome {
  home: string;
  /** Its place in the job's list of homes (the same list on every shard). */
  index: number;
  /** `whole`: every thread of it is this shard's; `split`: only the threads it owns by id. */
  share: 'whole' | 'split';
}

/**
 * The homes this shard mines, from the job's list (every shard must be given the same list, in
 * the same order): with at least as many homes as shards, homes are dealt out round-robin and
 * each is this shard's whole or not at all; with fewer, every shard lists every home and writes
 * the threads it owns by id. Every thread of every home is thus one shard's.
 */
export function homesOfShard(homes: readonly string[], shard: Pick<Shard, 'index' | 'count'>): ShardHome[] {
  return homes.flatMap((home, index) => {
    const share = homeShare(index, homes.length, shard);
    return share === 'none' ? [] : [{ home, index, share }];
  });
}

/** Whether a thread of a home is this shard's to write. */
export function ownsThread(home: Pick<ShardHome, 'share'>, threadId: string, shard: Pick<Shard, 'index' | 'count'>): boolean {
  return home.share === 'whole' || ownsKey(threadId, shard);
}

/** The shard that owns a thread of the job's home `homeIndex` of `homeCount`. */
export function ownerOfThread(homeIndex: number, homeCount: number, threadId: string, count: number): number {
  if (count === 1) return 0;
  return homeCount >= count ? homeIndex % count : shardOfKey(threadId, count);
}
