import * as hdr from 'hdr-histogram-js';
import { summarizeLatency, type LatencySummary } from '../report/latency-recorder.js';
import { MergeError } from './merge-error.js';

/** A histogram made for adding: 64-bit counts, so a hundred shards of millions cannot overflow. */
export function emptyHistogram(significantDigits = 3): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: significantDigits as 1 | 2 | 3 | 4 | 5, autoResize: true });
}

/** Decodes a report's histogram (HdrHistogram V2, compressed base64); `where` names it in the error. */
export function decodeHistogram(encoded: string, where: string, bitBucketSize: 32 | 64 = 64): hdr.Histogram {
  try {
    return hdr.decodeFromCompressedBase64(encoded, bitBucketSize, false);
  } catch (error) {
    throw new MergeError(`${where}: not an HdrHistogram (${(error as Error).message})`, 'input');
  }
}

/**
 * Adds up the latency of shards exactly: their histograms bucket by bucket, so every
 * percentile of the merge is the percentile one histogram of all the requests would give;
 * min and max are the extremes, the mean weighted by each shard's count.
 */
export class LatencyMerge {
  readonly #histogram = emptyHistogram();
  #count = 0;
  #minMs = Infinity;
  #maxMs = 0;
  #weightedMeanMs = 0;

  /** Adds one shard: its summary (for the exact min, max, mean) and its encoded histogram. */
  add(summary: { min: number; max: number; mean: number }, encoded: string, where: string): void {
    const histogram = decodeHistogram(encoded, where);
    const count = histogram.totalCount;
    this.#histogram.add(histogram);
    histogram.destroy();
    if (count === 0) return;
    this.#count += count;
    this.#minMs = Math.min(this.#minMs, summary.min);
    this.#maxMs = Math.max(this.#maxMs, summary.max);
    this.#weightedMeanMs += summary.mean * count;
  }

  /** Latencies added so far. */
  get count(): number {
    return this.#count;
  }

  summary(): LatencySummary {
    return summarizeLatency(this.#histogram, {
      count: this.#count,
      minMs: this.#minMs,
      maxMs: this.#maxMs,
      meanMs: this.#count === 0 ? 0 : this.#weightedMeanMs / this.#count,
    });
  }

  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#histogram);
  }
}
