import type { ErrorCode } from '../protocol/error-codes.js';
import type { OutcomeError, RequestOutcome } from '../runner/execute-request.js';
import { ErrorTally } from './error-tally.js';
import { LatencyRecorder } from './latency-recorder.js';
import { roundMs } from './round-ms.js';
import { RecentWindow } from './recent-window.js';
import { Timeline } from './timeline.js';

/** Totals over all requests of a run. */
export interface RequestTotals {
  /** Requests that ended (ok + failed). */
  total: number;
  ok: number;
  failed: number;
  /** Attempts retried. */
  retries: number;
  /** Attempts refused with -32001. */
  overloaded: number;
  /** Attempts that got no reply in time. */
  timedOut: number;
}

/** One request's outcome as embedded in the report (`--samples`). */
export interface Sample {
  /** Instance index; null when no instance could take it. */
  instance: number | null;
  latencyMs: number;
  attempts: number;
  result?: unknown;
  error?: OutcomeError;
}

/** One line of the `--records` file: a latency sample. */
export interface LatencyRecord {
  instance: number | null;
  /** Request sequence number, 0-based, in dispatch order. */
  seq: number;
  /** First send, in ms after the run's request phase began. */
  startMs: number;
  latencyMs: number;
  attempts: number;
  ok: boolean;
  /** The final error's code, when not ok. */
  code?: ErrorCode;
  /** Sent during the warm-up, left out of the statistics. */
  warmup?: true;
}

/** Requests run during the warm-up. */
export interface WarmupTotals {
  total: number;
  ok: number;
  failed: number;
}

/** What the statistics need to know about a request besides its outcome. */
export interface StatsItem {
  seq: number;
  warmup: boolean;
}

/**
 * Folds request outcomes into totals, error counts, a latency histogram, a per-second timeline
 * and the first samples. Warm-up requests are only counted apart (and in the timeline).
 */
export class RunStats {
  readonly totals: RequestTotals = { total: 0, ok: 0, failed: 0, retries: 0, overloaded: 0, timedOut: 0 };
  readonly warmup: WarmupTotals = { total: 0, ok: 0, failed: 0 };
  readonly errors = new ErrorTally();
  readonly latency = new LatencyRecorder();
  readonly timeline: Timeline;
  /** The last few seconds (warm-up included), for a live display. */
  readonly recent: RecentWindow;
  readonly samples: Sample[] = [];
  readonly #sampleLimit: number;
  readonly #origin: number;
  readonly #onRecord: ((record: LatencyRecord) => void) | undefined;

  /**
   * @param sampleLimit outcomes kept whole for the report
   * @param origin performance.now() at the start of the request phase
   * @param onRecord receives each request's latency record as it completes
   */
  constructor(sampleLimit: number, origin: number, onRecord?: (record: LatencyRecord) => void) {
    this.#sampleLimit = sampleLimit;
    this.#origin = origin;
    this.#onRecord = onRecord;
    this.timeline = new Timeline(origin);
    this.recent = new RecentWindow(origin);
  }

  /** performance.now() at the start of the request phase (the timeline's second 0). */
  get origin(): number {
    return this.#origin;
  }

  /**
   * Computes now, once every outcome is in, what a report reads (latency summary, encoded
   * histogram, timeline): a caller can do it while it waits on something else (servers exiting).
   */
  summarize(): void {
    this.latency.summary();
    this.latency.encode();
    this.timeline.toArray();
  }

  /** Adds the outcome of a request, run on instance `instance` (null: none could take it). */
  add(instance: number | null, item: StatsItem, outcome: RequestOutcome): void {
    // A request never sent has no latency and no place in time to speak of.
    if (outcome.attempts > 0) {
      this.timeline.add(outcome.startedAt, outcome.startedAt + outcome.latencyMs, outcome.latencyMs, outcome.ok, outcome.overloaded);
      this.recent.add(outcome.startedAt + outcome.latencyMs, outcome.latencyMs);
    }
    this.#record(instance, item, outcome);
    if (item.warmup) {
      this.warmup.total++;
      if (outcome.ok) this.warmup.ok++;
      else this.warmup.failed++;
      return;
    }
    const totals = this.totals;
    totals.total++;
    totals.retries += outcome.attempts > 0 ? outcome.attempts - 1 : 0;
    totals.overloaded += outcome.overloaded;
    totals.timedOut += outcome.timedOut;
    if (outcome.ok) totals.ok++;
    else {
      totals.failed++;
      if (outcome.error !== undefined) this.errors.add(outcome.error.code, outcome.error.message);
    }
    if (outcome.attempts > 0) this.latency.record(outcome.latencyMs);
    if (this.samples.length < this.#sampleLimit) {
      const sample: Sample = { instance, latencyMs: roundMs(outcome.latencyMs), attempts: outcome.attempts };
      if (outcome.ok) sample.result = outcome.result;
      else sample.error = outcome.error;
      this.samples.push(sample);
    }
  }

  #record(instance: number | null, item: StatsItem, outcome: RequestOutcome): void {
    if (this.#onRecord === undefined) return;
    const record: LatencyRecord = {
      instance,
      seq: item.seq,
      startMs: roundMs(outcome.startedAt - this.#origin),
      latencyMs: roundMs(outcome.latencyMs),
      attempts: outcome.attempts,
      ok: outcome.ok,
    };
    if (!outcome.ok && outcome.error !== undefined) record.code = outcome.error.code;
    if (item.warmup) record.warmup = true;
    this.#onRecord(record);
  }
}
