import type { BaseReport } from './base-report.js';
import type { RunStats, Sample, WarmupTotals } from './run-stats.js';
import type { ThresholdCheck } from './thresholds.js';

export type { InstanceReport } from './base-report.js';

/** The aggregated result of `cas run`. */
export interface RunReport extends BaseReport {
  method: string;
  params: unknown;
  /** Target requests per second (open model), or null (closed model). */
  rate: number | null;
  /** What latency runs to: the reply, or (for `turn/start`) the `turn/completed` notification. */
  measuredTo: 'reply' | 'turn/completed';
  /** Requests run during the warm-up, left out of every other figure but the timeline. */
  warmup: WarmupTotals & { ms: number };
  /** Limits set with --max-p99-ms / --max-error-rate, checked. */
  thresholds: ThresholdCheck[];
  /** `--start-at`: the wall-clock time the request phase was set to begin (ISO), or null. */
  startAt: string | null;
  samples: Sample[];
  /** Why cas stopped the run before its end on its own (e.g. no turn can reach the model), else null. */
  stoppedBecause: string | null;
}

/** Inputs of {@link buildRunReport}. */
export interface RunReportInput {
  /** The fields every report shares. */
  base: BaseReport;
  stats: RunStats;
  method: string;
  params: unknown;
  rate?: number;
  measuredTo: RunReport['measuredTo'];
  warmupMs: number;
  thresholds: ThresholdCheck[];
  stoppedBecause?: string | null;
  /** `--start-at`, in ms since the epoch. */
  startAt?: number;
}

/** Assembles the report of `cas run`. */
export function buildRunReport(input: RunReportInput): RunReport {
  const { stats } = input;
  return {
    method: input.method,
    params: input.params,
    ...input.base,
    rate: input.rate ?? null,
    measuredTo: input.measuredTo,
    warmup: { ms: input.warmupMs, ...stats.warmup },
    thresholds: input.thresholds,
    startAt: input.startAt === undefined ? null : new Date(input.startAt).toISOString(),
    samples: stats.samples,
    stoppedBecause: input.stoppedBecause ?? null,
  };
}
