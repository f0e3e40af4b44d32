import * as hdr from 'hdr-histogram-js';
import { roundMs } from './round-ms.js';
import type { ServerSecond } from './server-usage.js';

/** What happened in one second of a run. */
export interface TimelineSecond {
  /** Seconds since the request phase began. */
  second: number;
  /** Requests first sent (or due) in this second. */
  sent: number;
  /** Requests that ended in this second. */
  completed: number;
  /** Requests that ended in this second with an error. */
  errors: number;
  /** Attempts refused with -32001 among the requests that ended in this second. */
  overloaded: number;
  /** Latency percentiles of the requests that ended in this second, in ms (null: none ended). */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** The smallest and largest latency of those requests, in ms (null: none ended): percentiles stay within them. */
  min?: number | null;
  max?: number | null;
  /** The app-servers' cost in this second, by instance index (null: no sample); absent when not sampled. */
  servers?: Array<ServerSecond | null>;
}

/**
 * Per-second counts and latency percentiles. Completions arrive in time order, so one live
 * histogram serves the current second and is summarised when the next begins: memory stays
 * one row per second.
 */
export class Timeline {
  readonly #origin: number;
  readonly #rows: TimelineSecond[] = [];
  /** Per row, the latencies behind its p50 and p99 as an encoded histogram, so timelines of shards merge exactly. */
  readonly #histograms: Array<string | null> = [];
  readonly #live = hdr.build({ bitBucketSize: 32, numberOfSignificantValueDigits: 2, autoResize: true });
  #liveSecond = -1;
  /** Exact extremes of the live second: a percentile read from the histogram is clamped to them. */
  #liveMin = Infinity;
  #liveMax = 0;
  /** Latencies were added to the live second since its row was last summarised. */
  #liveChanged = false;

  /** @param origin performance.now() at the start of the request phase */
  constructor(origin: number) {
    this.#origin = origin;
  }

  /** performance.now() at second 0. */
  get origin(): number {
    return this.#origin;
  }

  /** Adds a request that was first sent at `startedAt` and ended now, at `endedAt`, after `overloaded` refused attempts. */
  add(startedAt: number, endedAt: number, latencyMs: number, ok: boolean, overloaded = 0): void {
    this.#row(this.#secondOf(startedAt)).sent++;
    const second = this.#secondOf(endedAt);
    // A straggler from an earlier second (rare) counts there; its latency joins the live second.
    if (second > this.#liveSecond) this.#closeLive(second);
    const row = this.#row(second);
    row.completed++;
    row.overloaded += overloaded;
    if (!ok) row.errors++;
    const micros = Math.max(1, Math.round(latencyMs * 1000));
    this.#live.recordValue(micros);
    if (micros < this.#liveMin) this.#liveMin = micros;
    if (micros > this.#liveMax) this.#liveMax = micros;
    this.#liveChanged = true;
  }

  /** Every second from the first to the last with activity; the live second as it stands (later additions to it still count). */
  toArray(): TimelineSecond[] {
    this.#summarizeLive();
    return this.#rows.map((row) => ({ ...row }));
  }

  /** Per row of {@link toArray}, the histogram (compressed base64, microseconds) its percentiles come from; null for a quiet second. */
  histograms(): Array<string | null> {
    this.#summarizeLive();
    return this.#rows.map((_, second) => this.#histograms[second] ?? null);
  }

  #secondOf(time: number): number {
    return Math.max(0, Math.floor((time - this.#origin) / 1000));
  }

  #row(second: number): TimelineSecond {
    while (this.#rows.length <= second) {
      this.#rows.push({ second: this.#rows.length, sent: 0, completed: 0, errors: 0, overloaded: 0, p50: null, p90: null, p99: null, min: null, max: null });
    }
    return this.#rows[second]!;
  }

  /** Writes the live second's percentiles, extremes and histogram into its row; the live histogram keeps the whole second. */
  #summarizeLive(): void {
    if (!this.#liveChanged) return;
    this.#liveChanged = false;
    const row = this.#row(this.#liveSecond);
    // A histogram bucket's top can lie above the largest value recorded: never report past the extremes.
    const at = (percentile: number) => roundMs(Math.min(this.#liveMax, Math.max(this.#liveMin, this.#live.getValueAtPercentile(percentile))) / 1000);
    row.p50 = at(50);
    row.p90 = at(90);
    row.p99 = at(99);
    row.min = roundMs(this.#liveMin / 1000);
    row.max = roundMs(this.#liveMax / 1000);
    this.#histograms[this.#liveSecond] = hdr.encodeIntoCompressedBase64(this.#live);
  }

  /** Summarises the live second into its row and starts on `next`. */
  #closeLive(next: number): void {
    this.#summarizeLive();
    this.#live.reset();
    this.#liveMin = Infinity;
    this.#liveMax = 0;
    this.#liveSecond = next;
  }
}
