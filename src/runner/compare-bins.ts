import path from 'node:path';
import type { ResolvedCodex } from '../codex/resolve-codex.js';
import { DEFAULT_ROUNDS, type RoundSummary } from '../report/compare/blocks.js';
import { compareReports, type Comparison } from '../report/compare/compare-reports.js';
import { LatencyRecorder } from '../report/latency-recorder.js';
import type { LoadedReport } from '../report/load-report.js';
import { buildRunReport, type RunReport } from '../report/run-report.js';
import { RunStats, type LatencyRecord } from '../report/run-stats.js';
import { checkThresholds } from '../report/thresholds.js';
import type { RequestOutcome } from './execute-request.js';
import { linkedAbort } from './linked-abort.js';
import { requestExecutor } from './request-executor.js';
import { runRequestPhase } from './request-phase.js';
import { measuresTurns, type RunMethodOptions, type RunProgress } from './run-method.js';
import type { JobExecutor } from './run-workers.js';
import { withSession, type Session } from './session.js';
import { turnExecutor } from './turn-executor.js';

/** Everything `cas run --compare-bin` does: the same workload on two codex binaries, in alternating rounds. */
export interface CompareBinsOptions extends RunMethodOptions {
  /** The other codex (B); `codex` is A. */
  compareCodex: ResolvedCodex;
  /** Rounds each side runs (default 6), each with its share of the requests or duration. */
  rounds?: number;
  /** B slower than A by more than this % (beyond noise) is a regression. */
  maxRegressionPct?: number;
  /** Receives each request's latency record, with the side that ran it. */
  onSideRecord?(side: 'A' | 'B', record: LatencyRecord): void;
}

/** One side's report, with its rounds. */
export type SideReport = RunReport & { rounds: RoundSummary[] };

/** Both reports and how B compares with A. */
export interface CompareBinsResult {
  a: SideReport;
  b: SideReport;
  comparison: Comparison;
}

/** `total` split into `parts` whole shares that add up to it. */
export function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(((i + 1) * total) / parts) - Math.floor((i * total) / parts));
}

interface Side {
  name: 'A' | 'B';
  session: Session;
  stats: RunStats;
  execute: JobExecutor;
  wallMs: number;
  rounds: RoundSummary[];
}

/** Sums up one round as it runs. */
function roundRecorder() {
  const latency = new LatencyRecorder();
  const counts = { requests: 0, failed: 0, overloaded: 0 };
  return {
    observe(outcome: RequestOutcome, warmup: boolean) {
      if (warmup) return;
      counts.requests++;
      counts.overloaded += outcome.overloaded;
      if (!outcome.ok) counts.failed++;
      if (outcome.attempts > 0) latency.record(outcome.latencyMs);
    },
    summary(round: number, fromMs: number, toMs: number, wallMs: number): RoundSummary {
      const { p50, p90, p95, p99, p999, max } = latency.summary();
      const second = (ms: number) => Math.round(ms) / 1000;
      return { round, fromSecond: second(fromMs), toSecond: second(toMs), wallMs: Math.round(wallMs), ...counts, latencyMs: { p50, p90, p95, p99, p999, max } };
    },
  };
}

/** A side's own run dir and state dir under the ones given, so the two sides never share files. */
function sideDirs(options: CompareBinsOptions, side: 'a' | 'b'): { runDir?: string; stateDir?: string } {
  return {
    runDir: options.runDir === undefined ? undefined : path.join(options.runDir, side),
    stateDir: options.stateDir === undefined ? undefined : path.join(options.stateDir, side),
  };
}

/**
 * Runs the workload on A (`codex`) and B (`compareCodex`) with both sets of app-servers up, in
 * rounds that alternate A B, B A, A B, ... so a change in the machine's load over time falls on
 * both alike; each round is one replicate for judging noise. Reports both and compares them.
 */
export async function runCompareBins(options: CompareBinsOptions): Promise<CompareBinsResult> {
  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const requests = options.requests ?? (options.durationMs === undefined ? options.instances * rounds : undefined);
  const perRound = requests === undefined ? undefined : shares(requests, rounds);
  const roundMs = options.durationMs === undefined ? undefined : options.durationMs / rounds;
  const turns = measuresTurns(options.method);
  const executor = (): JobExecutor =>
    turns
      ? turnExecutor({ policy: options.retry, threadParams: options.turns?.threadParams ?? {}, freshThread: options.turns?.freshThread ?? false, turnTimeoutMs: options.turns?.turnTimeoutMs ?? 300_000, signal })
      : requestExecutor(options.retry, signal);
  const progress = (sides: Side[], elapsedMs: number) =>
    options.onProgress?.({
      phase: 'running',
      done: sides.reduce((sum, side) => sum + side.stats.totals.total, 0),
      failed: sides.reduce((sum, side) => sum + side.stats.totals.failed, 0),
      total: requests === undefined ? undefined : requests * 2,
      durationMs: options.durationMs === undefined ? undefined : (options.durationMs + (options.warmupMs ?? 0)) * 2,
      elapsedMs,
    } satisfies RunProgress);
  options.onProgress?.({ phase: 'starting', done: 0, failed: 0, total: requests === undefined ? undefined : requests * 2, durationMs: undefined, elapsedMs: 0 });
  try {
    return await withSession({ ...options, ...sideDirs(options, 'a'), signal }, (sessionA) =>
      withSession({ ...options, ...sideDirs(options, 'b'), codex: options.compareCodex, signal }, async (sessionB) => {
        const origin = performance.now();
        const side = (name: 'A' | 'B', session: Session): Side => ({
          name,
          session,
          stats: new RunStats(options.samples, origin, options.onSideRecord === undefined ? undefined : (record) => options.onSideRecord!(name, record)),
          execute: executor(),
          wallMs: 0,
          rounds: [],
        });
        const sides = [side('A', sessionA), side('B', sessionB)];
        for (const { session } of sides) session.sampler?.align(origin);
        const phase = async (current: Side, limits: { requests?: number; durationMs?: number; warmupMs?: number }, round?: number) => {
          const recorder = roundRecorder();
          const from = performance.now();
          const result = await runRequestPhase({
            instances: current.session.instances,
            concurrency: options.concurrency,
            limits,
            rate: options.rate,
            job: { method: options.method, params: options.params },
            execute: current.execute,
            samples: options.samples,
            signal,
            stats: current.stats,
            onOutcome: recorder.observe,
            onProgress: () => progress(sides, performance.now() - origin),
            progressIntervalMs: options.progressIntervalMs,
          });
          if (round === undefined) return;
          current.wallMs += result.wallMs;
          current.rounds.push(recorder.summary(round, from - origin, performance.now() - origin, result.wallMs));
        };
        // Each side's warm-up first, outside the rounds and the statistics.
        if (options.warmupMs !== undefined && options.warmupMs > 0) for (const current of sides) if (!signal.aborted) await phase(current, { warmupMs: options.warmupMs, durationMs: 0 });
        for (let round = 0; round < rounds && !signal.aborted; round++) {
          const order = round % 2 === 0 ? sides : [...sides].reverse();
          for (const current of order) {
            if (signal.aborted) break;
            await phase(current, { requests: perRound?.[round], durationMs: roundMs }, round);
          }
        }
        await Promise.all([sessionA.close(), sessionB.close()]);
        const [a, b] = sides.map((current): SideReport => {
          const latency = current.stats.latency.summary();
          const report = buildRunReport({
            base: current.session.report(current.stats, current.wallMs, signal.aborted),
            stats: current.stats,
            method: options.method,
            params: options.params,
            rate: options.rate,
            measuredTo: turns ? 'turn/completed' : 'reply',
            warmupMs: options.warmupMs ?? 0,
            thresholds: checkThresholds({ p99Ms: latency.p99, total: current.stats.totals.total, failed: current.stats.totals.failed }, options.thresholds ?? {}),
          });
          return { ...report, rounds: current.rounds };
        }) as [SideReport, SideReport];
        const comparison = compareReports(a as unknown as LoadedReport, b as unknown as LoadedReport, {
          labels: ['--codex-bin', '--compare-bin'],
          maxRegressionPct: options.maxRegressionPct,
        });
        return { a, b, comparison };
      }),
    );
  } finally {
    abort.dispose();
  }
}
