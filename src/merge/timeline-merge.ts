import * as hdr from 'hdr-histogram-js';
import { roundMs } from '../report/latency-recorder.js';
import type { TimelineSecond } from '../report/timeline.js';
import { decodeHistogram } from './latency-merge.js';

interface MergedSecond {
  sent: number;
  completed: number;
  errors: number;
  histogram: hdr.Histogram | undefined;
}

/**
 * Merges shards' timelines by wall-clock second: each shard's second 0 is its own
 * `phaseStartedAt`, so its rows are shifted by whole seconds onto the earliest shard's clock
 * (with `--start-at` they line up exactly). Counts add; p50 and p99 come from the added
 * per-second histograms, as one process recording every request would have given.
 */
export class TimelineMerge {
  readonly #seconds = new Map<number, MergedSecond>();
  #anchorMs: number | undefined;
  #earliestMs = Infinity;

  /** Adds one shard's timeline; `phaseStartedMs` is its second 0, in ms since the epoch. */
  add(rows: ReadonlyArray<Pick<TimelineSecond, 'second' | 'sent' | 'completed' | 'errors'>>, histograms: ReadonlyArray<string | null>, phaseStartedMs: number, where: string): void {
    this.#anchorMs ??= phaseStartedMs;
    this.#earliestMs = Math.min(this.#earliestMs, phaseStartedMs);
    const shift = Math.round((phaseStartedMs - this.#anchorMs) / 1000);
    rows.forEach((row, position) => {
      const key = row.second + shift;
      let merged = this.#seconds.get(key);
      if (merged === undefined) this.#seconds.set(key, (merged = { sent: 0, completed: 0, errors: 0, histogram: undefined }));
      merged.sent += row.sent;
      merged.completed += row.completed;
      merged.errors += row.errors;
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
    let first = Infinity;
    let last = -Infinity;
    for (const key of this.#seconds.keys()) {
      first = Math.min(first, key);
      last = Math.max(last, key);
    }
    const timeline: TimelineSecond[] = [];
    const histograms: Array<string | null> = [];
    for (let key = first; key <= last; key++) {
      const merged = this.#seconds.get(key);
      const histogram = merged?.histogram;
      const has = histogram !== undefined && histogram.totalCount > 0;
      timeline.push({
        second: key - first,
        sent: merged?.sent ?? 0,
        completed: merged?.completed ?? 0,
        errors: merged?.errors ?? 0,
        p50: has ? roundMs(histogram.getValueAtPercentile(50) / 1000) : null,
        p99: has ? roundMs(histogram.getValueAtPercentile(99) / 1000) : null,
      });
      histograms.push(has ? hdr.encodeIntoCompressedBase64(histogram) : null);
    }
    return { timeline, histograms };
  }
}
