import type { Instance } from '../instance/instance.js';
import { RunStats, type LatencyRecord } from '../report/run-stats.js';
import { runWorkers, type Job, type JobExecutor } from './run-workers.js';
import { closedWorkSource, rateWorkSource, type WorkLimits } from './work-source.js';

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
  /** Requests per second across all instances (open model); without it, the closed model. */
  rate?: number;
  /** Begin at this wall-clock time (ms since the epoch), so the shards of a job line up; at once if it has passed. */
  startAt?: number;
  job: Job;
  execute: JobExecutor;
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

/** Resolves at wall-clock time `at` (ms since the epoch), at once if it has passed, or when the signal aborts. */
function waitForWallClock(at: number, signal: AbortSignal): Promise<void> {
  const wait = at - Date.now();
  if (wait <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Sends the requests across the ready instances until the limits are met or the signal aborts. */
export async function runRequestPhase(options: RequestPhaseOptions): Promise<RequestPhaseResult> {
  await options.execute.prepare?.(options.instances, options.concurrency);
  if (options.startAt !== undefined) await waitForWallClock(options.startAt, options.signal);
  const source = options.rate === undefined ? closedWorkSource(options.limits) : rateWorkSource(options.rate, options.limits);
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
      execute: options.execute.run,
      onOutcome: (instance, item, _job, outcome) => stats.add(instance?.index ?? null, item, outcome),
    });
  } finally {
    clearInterval(ticker);
    options.signal.removeEventListener('abort', stop);
  }
  report();
  return { stats, wallMs: performance.now() - start };
}
