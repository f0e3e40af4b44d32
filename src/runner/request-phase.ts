import type { Instance } from '../instance/instance.js';
import { RunStats, type LatencyRecord } from '../report/run-stats.js';
import type { RetryPolicy } from './retry-policy.js';
import { runWorkers, type Job } from './run-workers.js';
import { createWorkSource, type WorkLimits } from './work-source.js';

/** Counts of the request phase so far, for a progress display. */
export interface PhaseProgress {
  done: number;
  failed: number;
  elapsedMs: number;
}

/** Inputs of {@link runRequestPhase}. */
export interface RequestPhaseOptions {
  instances: readonly Instance[];
  concurrency: number;
  limits: WorkLimits;
  job: Job;
  retry: RetryPolicy;
  samples: number;
  signal: AbortSignal;
  onRecord?(record: LatencyRecord): void;
  onProgress?(progress: PhaseProgress): void;
  progressIntervalMs?: number;
}

/** What the request phase measured. */
export interface RequestPhaseResult {
  stats: RunStats;
  wallMs: number;
}

/** Sends the requests across the ready instances until the limits are met or the signal aborts. */
export async function runRequestPhase(options: RequestPhaseOptions): Promise<RequestPhaseResult> {
  const source = createWorkSource(options.limits);
  const stop = () => source.stop();
  if (options.signal.aborted) stop();
  options.signal.addEventListener('abort', stop, { once: true });
  const start = performance.now();
  const stats = new RunStats(options.samples, start, options.onRecord);
  const report = () => options.onProgress?.({ done: stats.totals.total, failed: stats.totals.failed, elapsedMs: performance.now() - start });
  const ticker = setInterval(report, options.progressIntervalMs ?? 100);
  ticker.unref();
  try {
    await runWorkers({
      instances: options.instances,
      concurrency: options.concurrency,
      source,
      jobFor: () => options.job,
      policy: options.retry,
      signal: options.signal,
      onOutcome: (instance, seq, _job, outcome) => stats.add(instance?.index ?? null, seq, outcome),
    });
  } finally {
    clearInterval(ticker);
    options.signal.removeEventListener('abort', stop);
  }
  report();
  return { stats, wallMs: performance.now() - start };
}
