import type { Instance } from '../instance/instance.js';
import { RunStats, type LatencyRecord } from '../report/run-stats.js';
import { runWorkers, type Job, type JobExecutor } from './run-workers.js';
import { closedWorkSource, rateWorkSource, type WorkLimits } from './work-source.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { RequestOutcome } from './execute-request.js';

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

/** Sends the requests across the ready instances until the limits are met or the signal aborts. */
export async function runRequestPhase(options: RequestPhaseOptions): Promise<RequestPhaseResult> {
  await options.execute.prepare?.(options.instances, options.concurrency);
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
  // Under a fixed rate, requests already due when the run was interrupted (every slot busy) were
  // part of the load: each still gets its one result, as interrupted.
  for (const item of source.backlog?.() ?? []) stats.add(null, item, backlogOutcome(item.dueAt ?? performance.now()));
  report();
  return { stats, wallMs: performance.now() - start };
}
