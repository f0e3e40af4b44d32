import type { Shard } from './shard-spec.js';

type Share = Pick<Shard, 'index' | 'count'>;

/** Of `total` items, how many this shard does: the first `total mod count` shards do one more, so the shares add up to `total`. */
export function shareOfTotal(total: number, shard: Share): number {
  return Math.floor(total / shard.count) + (shard.index < total % shard.count ? 1 : 0);
}

/** This shard's part of a rate: the shards together send `rate` per second. */
export function shareOfRate(rate: number, shard: Share): number {
  return rate / shard.count;
}

/** Round-robin: whether the item at 0-based `position` is this shard's. */
export function ownsPosition(position: number, shard: Share): boolean {
  return position % shard.count === shard.index;
}

/** `cas batch`: whether 1-based input line `line` is this shard's ((line - 1) mod count == index). */
export function ownsLine(line: number, shard: Share): boolean {
  return ownsPosition(line - 1, shard);
}

const encoder = new TextEncoder();

/**
 * A stable 32-bit hash of a key (FNV-1a over its UTF-8 bytes, then murmur3's finaliser so the low
 * bits mix too): the same on every machine and easy to reproduce in any language.
 */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Which shard of `count` owns a key (a thread id, say): every key has exactly one owner. */
export function shardOfKey(key: string, count: number): number {
  return keyHash(key) % count;
}

/** Whether a key (e.g. a thread id) is this shard's. */
export function ownsKey(key: string, shard: Share): boolean {
  return shardOfKey(key, shard.count) === shard.index;
}

/**
 * How a shard takes part in one of `homeCount` homes: with at least as many homes as shards,
 * homes are dealt out round-robin and each is read `whole` by one shard (`none` by the others);
 * with fewer, every shard lists every home and reads the threads it owns by id (`split`,
 * see {@link ownsKey}).
 */
export function homeShare(homeIndex: number, homeCount: number, shard: Share): 'whole' | 'split' | 'none' {
  if (shard.count === 1) return 'whole';
  if (homeCount >= shard.count) return ownsPosition(homeIndex, shard) ? 'whole' : 'none';
  return 'split';
}
