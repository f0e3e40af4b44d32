import * as hdr from 'hdr-histogram-js';
import { roundMs } from '../report/round-ms.js';
import type { ServerSecond } from '../report/server-usage.js';
import type { TimelineSecond } from '../report/timeline.js';
import { decodeHistogram } from './latency-merge.js';

interface MergedSecond {
  sent: number;
  completed: number;
  errors: number;
  overloaded: number;
  /** Exact extremes, when the shards said them: percentiles are kept within, as one run keeps them. */
  min: number | undefined;
  max: number | undefined;
  histogram: hdr.Histogram | undefined;
  /** Each shard's servers in this second, by shard index. */
  servers: Map<number, Array<ServerSecond | null>>;
}

/** The per-second fields of a shard's timeline a merge reads. */
export type ShardSecond = Pick<TimelineSecond, 'second' | 'sent' | 'completed' | 'errors'> & Partial<Pick<TimelineSecond, 'overloaded' | 'servers' | 'min' | 'max'>>;

/**
 * Merges shards' timelines by wall-clock second: each shard's second 0 is its own
 * `phaseStartedAt`, so its rows are shifted by whole seconds onto the earliest shard's clock
 * (with `--start-at` they line up exactly). Counts add; p50, p90 and p99 come from the added
 * per-second histograms, as one process recording every request would have given. Each
 * second's servers are laid side by side in shard order, as the merged per-instance lines are.
 */
export class TimelineMerge {
  readonly #seconds = new Map<number, MergedSecond>();
  /** Instances of each shard, by shard index: a second a shard has no sample of gets as many nulls. */
  readonly #instances = new Map<number, number>();
  #anchorMs: number | undefined;
  #earliestMs = Infinity;

  /** Adds one shard's timeline; `phaseStartedMs` is its second 0, in ms since the epoch. */
  add(rows: readonly ShardSecond[], histograms: ReadonlyArray<string | null>, phaseStartedMs: number, where: string, shard: { index: number; instances: number }): void {
    this.#anchorMs ??= phaseStartedMs;
    this.#earliestMs = Math.min(this.#earliestMs, phaseStartedMs);
    this.#instances.set(shard.index, shard.instances);
    const shift = Math.round((phaseStartedMs - this.#anchorMs) / 1000);
    rows.forEach((row, position) => {
      const key = row.second + shift;
      let merged = this.#seconds.get(key);
      if (merged === undefined) this.#seconds.set(key, (merged = { sent: 0, completed: 0, errors: 0, overloaded: 0, min: undefined, max: undefined, histogram: undefined, servers: new Map() }));
      merged.sent += row.sent;
      merged.completed += row.completed;
      merged.errors += row.errors;
      merged.overloaded += row.overloaded ?? 0;
      if (typeof row.min === 'number') merged.min = Math.min(merged.min ?? Infinity, row.min);
      if (typeof row.max === 'number') merged.max = Math.max(merged.max ?? -Infinity, row.max);
      if (row.servers !== undefined) merged.servers.set(shard.index, row.servers);
      const encoded = histograms[position];
      if (encoded === null || encoded === undefined) return;
      // 32-bit counts: no second sees 2^31 requests, and an hour of seconds stays a few tens of MB.
      const histogram = decodeHistogram(encoded, `${where} timeline second ${row.second}`, 32);
      merged.histogram ??= hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: histogram.numberOfSignificantValueDigits as 1 | 2 | 3 | 4 | 5, autoResize: true });
      merged.histogram.add(histogram);
      histogram.destroy();
    });
  }

  /** When the merged timeline's second 0 begins: the earliest shard's start. */
  get startedMs(): number | undefined {
    return this.#anchorMs === undefined ? undefined : this.#earliestMs;
  }

  /** Every second from the first to the last with activity, on the merged clock, and each row's histogram. */
  result(): { timeline: TimelineSecond[]; histograms: Array<string | null> } {
    if (this.#seconds.size === 0) return { timeline: [], histograms: [] };
    const keys = [...this.#seconds.keys()];
    const first = Math.min(...keys);
    const last = Math.max(...keys);
    const sampled = [...this.#seconds.values()].some((second) => second.servers.size > 0);
    const shards = [...this.#instances.keys()].sort((a, b) => a - b);
    const timeline: TimelineSecond[] = [];
    const histograms: Array<string | null> = [];
    for (let key = first; key <= last; key++) {
      const merged = this.#seconds.get(key);
      const histogram = merged?.histogram;
      const has = histogram !== undefined && histogram.totalCount > 0;
      const at = (percentile: number) => {
        if (!has) return null;
        const value = roundMs(histogram.getValueAtPercentile(percentile) / 1000);
        return Math.min(merged?.max ?? Infinity, Math.max(merged?.min ?? -Infinity, value));
      };
      const row: TimelineSecond = {
        second: key - first,
        sent: merged?.sent ?? 0,
        completed: merged?.completed ?? 0,
        errors: merged?.errors ?? 0,
        overloaded: merged?.overloaded ?? 0,
        p50: at(50),
        p90: at(90),
        p99: at(99),
        min: merged?.min ?? null,
        max: merged?.max ?? null,
      };
      if (sampled) row.servers = shards.flatMap((shard) => merged?.servers.get(shard) ?? Array<ServerSecond | null>(this.#instances.get(shard)!).fill(null));
      timeline.push(row);
      histograms.push(has ? hdr.encodeIntoCompressedBase64(histogram) : null);
    }
    return { timeline, histograms };
  }
}
