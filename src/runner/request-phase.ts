import type { Instance } from '../instance/instance.js';
import { RunStats, type LatencyRecord } from '../report/run-stats.js';
import type { RequestOutcome } from './execute-request.js';
import { runWorkers, type Job, type JobExecutor } from './run-workers.js';
import { closedWorkSource, rateWorkSource, type WorkLimits } from './work-source.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { observeSource } from './observed-source.js';

/** Counts of the request phase so far, for a progress display. */
export interface PhaseProgress {
  done: number;
  failed: number;
  elapsedMs: number;
  /** Requests handed out so far, warm-up included. */
  dispatched: number;
  /** True once no more will be sent: the requests in flight are draining. */
  draining: boolean;
  /** The live statistics (read them during the call): totals, error kinds, the recent window. */
  stats: RunStats;
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
  /** Called with performance.now() at second 0 of the phase's timeline, e.g. to line the server sampler up with it. */
  onStart?(origin: number): void;
  /** Adds to these statistics (one side's of an alternating comparison) instead of new ones. */
  stats?: RunStats;
  /** Sees every outcome as it is added, e.g. to sum up one round. */
  onOutcome?(outcome: RequestOutcome, warmup: boolean): void;
}

/** What the request phase measured. */
export interface RequestPhaseResult {
  stats: RunStats;
  wallMs: number;
}

/** The outcome of a request that was due but never sent before the interrupt. */
function backlogOutcome(dueAt: number): RequestOutcome {
  return {
    ok: false,
    error: { code: LocalErrorCode.interrupted, message: 'due before the interrupt, but never sent: every slot was busy' },
    attempts: 0,
    overloaded: 0,
    timedOut: 0,
    latencyMs: 0,
    startedAt: dueAt,
  };
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
  const { source, watch } = observeSource(options.rate === undefined ? closedWorkSource(options.limits) : rateWorkSource(options.rate, options.limits));
  const stop = () => source.stop();
  if (options.signal.aborted) stop();
  options.signal.addEventListener('abort', stop, { once: true });
  const start = performance.now();
  const stats = options.stats ?? new RunStats(options.samples, start, options.onRecord);
  options.onStart?.(start);
  const report = () =>
    options.onProgress?.({ done: stats.totals.total, failed: stats.totals.failed, elapsedMs: performance.now() - start, dispatched: watch.taken, draining: watch.ended, stats });
  const ticker = setInterval(report, options.progressIntervalMs ?? 100);
  ticker.unref();
  try {
    await runWorkers({
      instances: options.instances,
      concurrency: options.concurrency,
      source,
      jobFor: () => options.job,
      execute: options.execute.run,
      onOutcome: (instance, item, _job, outcome) => {
        stats.add(instance?.index ?? null, item, outcome);
        options.onOutcome?.(outcome, item.warmup);
      },
    });
  } finally {
    clearInterval(ticker);
    options.signal.removeEventListener('abort', stop);
  }
  // Under a fixed rate, requests already due when the run was interrupted (every slot busy) were
  // part of the load: each still gets its one result, as interrupted.
  for (const item of source.backlog?.() ?? []) stats.add(null, item, backlogOutcome(item.dueAt ?? performance.now()));
  report();
  return { stats, wallMs: performance.now() - start };
}
