import * as hdr from 'hdr-histogram-js';
import { roundMs } from './latency-recorder.js';

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
  /** Latency percentiles of the requests that ended in this second, in ms (null: none ended). */
  p50: number | null;
  p99: number | null;
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

  /** @param origin performance.now() at the start of the request phase */
  constructor(origin: number) {
    this.#origin = origin;
  }

  /** Adds a request that was first sent at `startedAt` and ended now, at `endedAt`. */
  add(startedAt: number, endedAt: number, latencyMs: number, ok: boolean): void {
    this.#row(this.#secondOf(startedAt)).sent++;
    const second = this.#secondOf(endedAt);
    // A straggler from an earlier second (rare) counts there; its latency joins the live second.
    if (second > this.#liveSecond) this.#closeLive(second);
    const row = this.#row(second);
    row.completed++;
    if (!ok) row.errors++;
    this.#live.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  /** Every second from the first to the last with activity. */
  toArray(): TimelineSecond[] {
    this.#closeLive(this.#liveSecond);
    return this.#rows.map((row) => ({ ...row }));
  }

  /** Per row of {@link toArray}, the histogram (compressed base64, microseconds) its percentiles come from; null for a quiet second. */
  histograms(): Array<string | null> {
    this.#closeLive(this.#liveSecond);
    return this.#rows.map((_, second) => this.#histograms[second] ?? null);
  }

  #secondOf(time: number): number {
    return Math.max(0, Math.floor((time - this.#origin) / 1000));
  }

  #row(second: number): TimelineSecond {
    while (this.#rows.length <= second) {
      this.#rows.push({ second: this.#rows.length, sent: 0, completed: 0, errors: 0, p50: null, p99: null });
    }
    return this.#rows[second]!;
  }

  /** Summarises the live histogram into its row and starts on `next`. */
  #closeLive(next: number): void {
    if (this.#liveSecond >= 0 && this.#live.totalCount > 0) {
      const row = this.#row(this.#liveSecond);
      row.p50 = roundMs(this.#live.getValueAtPercentile(50) / 1000);
      row.p99 = roundMs(this.#live.getValueAtPercentile(99) / 1000);
      this.#histograms[this.#liveSecond] = hdr.encodeIntoCompressedBase64(this.#live);
    }
    this.#live.reset();
    this.#liveSecond = next;
  }
}
