import * as hdr from 'hdr-histogram-js';
import { roundMs } from './round-ms.js';

/** Latency percentiles of a run, in ms. */
export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** What is known exactly about a set of latencies, besides their histogram. */
export interface ExactLatency {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

/**
 * The summary of a histogram of microseconds: min, mean and max as known exactly, percentiles
 * from the histogram. A histogram answers with the top of a value's bucket, which can lie above
 * the largest value recorded: percentiles are kept within [min, max].
 */
export function summarizeLatency(histogram: hdr.Histogram, exact: ExactLatency): LatencySummary {
  if (exact.count === 0) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const min = roundMs(exact.minMs);
  const max = roundMs(exact.maxMs);
  const at = (percentile: number) => Math.min(max, Math.max(min, roundMs(histogram.getValueAtPercentile(percentile) / 1000)));
  return { min, mean: roundMs(exact.meanMs), p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max };
}

/**
 * Records latencies in an HdrHistogram of integer microseconds (3 significant digits), whose
 * compressed base64 form any HdrHistogram implementation decodes and merges exactly.
 */
export class LatencyRecorder {
  readonly #histogram = hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: 3, autoResize: true });
  #count = 0;
  #sumMs = 0;
  #minMs = Infinity;
  #maxMs = 0;
  // Kept until the next record: a report reads them more than once.
  #summary: LatencySummary | undefined;
  #encoded: string | undefined;

  /** Adds one latency, in ms. */
  record(ms: number): void {
    this.#summary = undefined;
    this.#encoded = undefined;
    const micros = Math.max(1, Math.round(ms * 1000));
    this.#histogram.recordValue(micros);
    this.#count++;
    this.#sumMs += ms;
    if (ms < this.#minMs) this.#minMs = ms;
    if (ms > this.#maxMs) this.#maxMs = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** Exact min, mean and max; percentiles from the histogram (within 0.1%), never outside [min, max]. */
  summary(): LatencySummary {
    // A copy: a caller may change what it was given.
    return { ...(this.#summary ??= summarizeLatency(this.#histogram, { count: this.#count, minMs: this.#minMs, maxMs: this.#maxMs, meanMs: this.#count === 0 ? 0 : this.#sumMs / this.#count })) };
  }

  /** The histogram as compressed base64 (HdrHistogram V2 encoding), values in microseconds. */
  encode(): string {
    return (this.#encoded ??= hdr.encodeIntoCompressedBase64(this.#histogram));
  }
}
