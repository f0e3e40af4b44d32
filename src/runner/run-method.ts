import type { Instance } from '../instance/instance.js';
import { buildRunReport, type RunReport } from '../report/run-report.js';
import type { LatencyRecord, RunStats } from '../report/run-stats.js';
import { checkThresholds, type Thresholds } from '../report/thresholds.js';
import { linkedAbort } from './linked-abort.js';
import { requestExecutor } from './request-executor.js';
import type { PhaseProgress } from './request-phase.js';
import type { RetryPolicy } from './retry-policy.js';
import { withSession, type SessionOptions } from './session.js';

/** Where a run is, for a progress display. */
export interface RunProgress {
  /** Starting the instances, sending (warm-up, measuring, draining: see the fields below), closing them. */
  phase: 'starting' | 'running' | 'closing';
  /** Instances being started or run. */
  instances?: number;
  /** The warm-up at the start of the running phase, when there is one. */
  warmupMs?: number;
  /** True once no more requests will be sent: the ones in flight are draining. */
  draining?: boolean;
  /** The live statistics while running (read them during the call): totals, error kinds, the recent window. */
  stats?: RunStats;
  /** Requests ended so far (warm-up excluded). */
  done: number;
  /** Requests in all, when known. */
  total: number | undefined;
  failed: number;
  elapsedMs: number;
  /** Warm-up plus measured duration, when time-bound. */
  durationMs: number | undefined;
}

/** How `turn/start` runs are driven. */
export interface TurnOptions {
  /** Params of the `thread/start` that makes each slot's thread. */
  threadParams: Record<string, unknown>;
  /** A new thread for every turn. */
  freshThread: boolean;
  /** From `turn/start` to `turn/completed`, at most. */
  turnTimeoutMs: number;
}

/** Everything `cas run` does, as a library call: the session (instances, homes, policy, mock model) and the load. */
export interface RunMethodOptions extends Omit<SessionOptions, 'signal' | 'homes'> {
  method: string;
  /** Sent as is with every request (omitted when undefined). */
  params: unknown;
  /** Measured requests in all; default one per instance unless `durationMs` is set. */
  requests?: number;
  /** Keep sending for this long (after the warm-up). */
  durationMs?: number;
  /** Run this long first, outside the statistics. */
  warmupMs?: number;
  /** Requests per second across all instances (open model). */
  rate?: number;
  /** Begin the request phase (warm-up first) at this wall-clock time, in ms since the epoch, once the instances are ready. */
  startAt?: number;
  /** Requests in flight per instance. */
  concurrency: number;
  retry: RetryPolicy;
  /** Settings for `turn/start` runs. */
  turns?: Partial<TurnOptions>;
  /** Limits to check (exit 3 in the CLI when crossed). */
  thresholds?: Thresholds;
  /** Outcomes embedded whole in the report. */
  samples: number;
  /** Receives each request's latency record as it completes. */
  onRecord?(record: LatencyRecord): void;
  /** Called once the instances are up (or failed), before any request. */
  onStarted?(instances: readonly Instance[]): void;
  /** Called about every `progressIntervalMs` while the run goes. */
  onProgress?(progress: RunProgress): void;
  progressIntervalMs?: number;
  /** Aborting stops dispatching; requests in flight finish and the report is marked interrupted. */
  signal?: AbortSignal;
}

/** `turn/start` is measured to its `turn/completed`: a reply alone says nothing of the turn. */
export function measuresTurns(method: string): boolean {
  return method === 'turn/start';
}

/** The modules a run needs once its app-servers are starting (the turn executor only for turns). */
interface RunParts {
  runRequestPhase: typeof import('./request-phase.js').runRequestPhase;
  turnExecutor: typeof import('./turn-executor.js').turnExecutor | undefined;
}

async function loadRunParts(turns: boolean): Promise<RunParts> {
  const [{ runRequestPhase }, turnModule] = await Promise.all([import('./request-phase.js'), turns ? import('./turn-executor.js') : undefined]);
  return { runRequestPhase, turnExecutor: turnModule?.turnExecutor };
}

/** Starts the instances, runs the requests across them, closes everything and reports. */
export async function runMethod(options: RunMethodOptions): Promise<RunReport> {
  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  // Without a limit, one request per instance: enough to check each works.
  const requests = options.requests ?? (options.durationMs === undefined ? options.instances : undefined);
  const warmupMs = options.warmupMs ?? 0;
  const durationMs = options.durationMs === undefined ? undefined : options.durationMs + warmupMs;
  const progress = (phase: RunProgress['phase'], live?: PhaseProgress): void =>
    options.onProgress?.({
      phase,
      done: live?.done ?? 0,
      failed: live?.failed ?? 0,
      elapsedMs: live?.elapsedMs ?? 0,
      total: requests,
      durationMs,
      instances: options.instances,
      warmupMs,
      draining: live?.draining ?? false,
      stats: live?.stats,
    });
  const turns = measuresTurns(options.method);
  // Why cas itself stopped the run early (no turn can run), as opposed to an interrupt.
  let stoppedBecause: string | null = null;
  progress('starting');
  let last: PhaseProgress | undefined;
  try {
    // What only the requests need loads while the app-servers start: most of a short command's wait.
    let parts: RunParts | undefined;
    const whileStarting = async () => void (parts = await loadRunParts(turns));
    return await withSession({ ...options, signal, whileStarting }, async (session) => {
      const { runRequestPhase, turnExecutor } = parts!;
      const execute = turnExecutor
        ? turnExecutor({
            policy: options.retry,
            threadParams: options.turns?.threadParams ?? {},
            freshThread: options.turns?.freshThread ?? false,
            turnTimeoutMs: options.turns?.turnTimeoutMs ?? 300_000,
            signal,
            onHopeless(reason) {
              stoppedBecause = reason;
              abort.abort(reason);
            },
          })
        : requestExecutor(options.retry, signal);
      options.onStarted?.(session.instances);
      const { stats, wallMs } = await runRequestPhase({
        instances: session.instances,
        concurrency: options.concurrency,
        limits: { requests, durationMs: options.durationMs, warmupMs },
        rate: options.rate,
        startAt: options.startAt,
        job: { method: options.method, params: options.params },
        execute: session.paced(execute, signal),
        samples: options.samples,
        signal,
        onRecord: options.onRecord,
        onProgress: (live) => {
          last = live;
          progress('running', live);
        },
        progressIntervalMs: options.progressIntervalMs,
        onStart: (origin) => session.sampler?.align(origin),
      });
      progress('closing', last);
      const closing = session.close();
      closing.catch(() => undefined);
      // The statistics are final: summarised while the servers exit, once a turn of the event loop has let the close begin.
      await new Promise((resolve) => setImmediate(resolve));
      stats.summarize();
      await closing;
      const latency = stats.latency.summary();
      return buildRunReport({
        // The statistics cover the time after the warm-up.
        base: session.report(stats, Math.max(0, wallMs - warmupMs), options.signal?.aborted ?? false),
        stats,
        method: options.method,
        params: options.params,
        rate: options.rate,
        measuredTo: turns ? 'turn/completed' : 'reply',
        warmupMs,
        startAt: options.startAt,
        thresholds: checkThresholds({ p99Ms: latency.p99, total: stats.totals.total, failed: stats.totals.failed }, options.thresholds ?? {}),
        stoppedBecause,
      });
    });
  } finally {
    abort.dispose();
  }
}
