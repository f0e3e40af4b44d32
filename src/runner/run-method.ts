import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import { planHomes } from '../instance/codex-home.js';
import type { Instance } from '../instance/instance.js';
import { startInstances, type InstanceConnectOptions } from '../instance/start-instances.js';
import { buildRunReport, type RunReport } from '../report/run-report.js';
import type { LatencyRecord } from '../report/run-stats.js';
import { linkedAbort } from './linked-abort.js';
import { runRequestPhase } from './request-phase.js';
import { openRunDir } from './run-dir.js';
import type { RetryPolicy } from './retry-policy.js';

/** Where a run is, for a progress display. */
export interface RunProgress {
  phase: 'starting' | 'running';
  /** Requests ended so far. */
  done: number;
  /** Requests in all, when known. */
  total: number | undefined;
  failed: number;
  elapsedMs: number;
  durationMs: number | undefined;
}

/** Everything `cas run` does, as a library call. */
export interface RunMethodOptions {
  method: string;
  /** Sent as is with every request (omitted when undefined). */
  params: unknown;
  /** App-servers to start. */
  instances: number;
  /** Requests in all; default one per instance unless `durationMs` is set. */
  requests?: number;
  /** Keep sending for this long. */
  durationMs?: number;
  /** Requests in flight per instance. */
  concurrency: number;
  codex: ResolvedCodex;
  /** Extra arguments after `app-server`. */
  codexArgs: readonly string[];
  /** Where homes and state files go; default a temp dir. */
  runDir?: string;
  /** Keep the temp run dir. */
  keepRunDir?: boolean;
  /** `--codex-home` (with `{i}` for one per instance). */
  codexHome?: string;
  /** `--codex-home-template`. */
  codexHomeTemplate?: string;
  /** Default `<runDir>/state`. */
  stateDir?: string;
  /** Handshake and request settings of every instance. */
  connect: InstanceConnectOptions;
  retry: RetryPolicy;
  startupRetries: number;
  /** Outcomes embedded whole in the report. */
  samples: number;
  /** Receives each request's latency record as it completes. */
  onRecord?(record: LatencyRecord): void;
  /** Called about every `progressIntervalMs` while the run goes. */
  onProgress?(progress: RunProgress): void;
  progressIntervalMs?: number;
  /** Aborting stops dispatching; requests in flight finish and the report is marked interrupted. */
  signal?: AbortSignal;
}

/** Starts the instances, runs the requests across them, closes everything and reports. */
export async function runMethod(options: RunMethodOptions): Promise<RunReport> {
  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  // Without a limit, one request per instance: enough to check each works.
  const requests = options.requests ?? (options.durationMs === undefined ? options.instances : undefined);
  const progress = (phase: RunProgress['phase'], done = 0, failed = 0, elapsedMs = 0): void =>
    options.onProgress?.({ phase, done, failed, elapsedMs, total: requests, durationMs: options.durationMs });
  let instances: Instance[] = [];
  const runDir = await openRunDir(options.runDir, options.keepRunDir ?? false);
  try {
    const startedAt = new Date();
    const startupStart = performance.now();
    const stateDir = options.stateDir ?? path.join(runDir.path, 'state');
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    progress('starting');
    instances = await startInstances({
      codex: options.codex,
      codexArgs: options.codexArgs,
      plan: planHomes(options.instances, runDir.path, options.codexHome),
      template: options.codexHomeTemplate,
      stateDir,
      connect: options.connect,
      startupRetries: options.startupRetries,
      signal,
    });
    const startupWallMs = performance.now() - startupStart;
    const { stats, wallMs } = await runRequestPhase({
      instances,
      concurrency: options.concurrency,
      limits: { requests, durationMs: options.durationMs },
      job: { method: options.method, params: options.params },
      retry: options.retry,
      samples: options.samples,
      signal,
      onRecord: options.onRecord,
      onProgress: (phase) => progress('running', phase.done, phase.failed, phase.elapsedMs),
      progressIntervalMs: options.progressIntervalMs,
    });
    await Promise.all(instances.map((instance) => instance.close()));
    return buildRunReport({
      method: options.method,
      params: options.params,
      codex: { path: options.codex.path, source: options.codex.source },
      instances,
      stats,
      wallMs,
      startupWallMs,
      startedAt,
      interrupted: signal.aborted,
    });
  } finally {
    abort.dispose();
    await Promise.allSettled(instances.map((instance) => instance.close()));
    await runDir.dispose();
  }
}
