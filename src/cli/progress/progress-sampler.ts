import type { BatchProgress } from '../../batch/run-batch.js';
import type { MineProgress } from '../../mine/mine-progress.js';
import type { ErrorCount } from '../../report/error-tally.js';
import type { RunStats } from '../../report/run-stats.js';
import type { RunProgress } from '../../runner/run-method.js';
import { truncate } from '../../report/truncate.js';
import type { ProgressState } from './progress-state.js';
import path from 'node:path';

/** Keeps the latest progress event and turns it into what the display shows, at the clock's now. */
export interface ProgressSampler<T> {
  update(progress: T): void;
  /** The state as of now; undefined before the first event. */
  state(): ProgressState | undefined;
}

/** A clock in performance.now() time, the runner's own: the recent window's times are in it. */
export type Clock = () => number;

const defaultClock: Clock = () => performance.now();

/** One kind per code (and message, for the server's numeric codes), counts summed. */
export function errorKinds(errors: readonly ErrorCount[]): ProgressState['errors'] {
  const kinds = new Map<string, number>();
  for (const error of errors) {
    const kind = typeof error.code === 'number' ? `${error.code} ${truncate(error.message, 40)}` : error.code;
    kinds.set(kind, (kinds.get(kind) ?? 0) + error.count);
  }
  return [...kinds.entries()].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count);
}

/** The fields every request workload takes from its live statistics. */
function fromStats(stats: RunStats | undefined, now: number) {
  if (stats === undefined) return { rate: null, latency: null, errors: [], retries: 0, overloaded: 0 };
  const recent = stats.recent.summary(now);
  return {
    rate: recent.rate,
    latency: recent.p50 === null || recent.p99 === null ? null : { p50: recent.p50, p99: recent.p99, windowMs: stats.recent.windowMs },
    errors: errorKinds(stats.errors.toArray()),
    retries: stats.totals.retries,
    overloaded: stats.totals.overloaded,
  };
}

/** The shared bookkeeping: the last event, when it came, and when the display began. */
function sampler<T>(now: Clock, toState: (progress: T, at: number, sinceEvent: number, sinceStart: number) => ProgressState): ProgressSampler<T> {
  const began = now();
  let last: { progress: T; at: number } | undefined;
  return {
    update(progress) {
      last = { progress, at: now() };
    },
    state() {
      if (last === undefined) return undefined;
      const at = now();
      return toState(last.progress, at, at - last.at, at - began);
    },
  };
}

/** `cas run`: the phase from the warm-up and the end of sending, the ETA from the count or the duration. */
export function runSampler(targetRate: number | null, now: Clock = defaultClock): ProgressSampler<RunProgress> {
  return sampler<RunProgress>(now, (progress, at, sinceEvent, sinceStart) => {
    const running = progress.phase === 'running';
    // Between events the clock keeps going; while starting, the run's own elapsed is still 0.
    const elapsedMs = progress.phase === 'starting' ? sinceStart : progress.elapsedMs + (running ? sinceEvent : 0);
    const warmup = running && progress.warmupMs !== undefined && elapsedMs < progress.warmupMs;
    const phase = !running ? progress.phase : progress.draining ? 'draining' : warmup ? 'warm-up' : 'measuring';
    const live = fromStats(progress.stats, at);
    let etaMs: number | null = null;
    if (running && progress.durationMs !== undefined && !progress.draining) etaMs = progress.durationMs >= elapsedMs ? progress.durationMs - elapsedMs : null;
    else if (running && progress.total !== undefined && !warmup && live.rate !== null && live.rate > 0) etaMs = (Math.max(0, progress.total - progress.done) / live.rate) * 1000;
    return {
      phase,
      instances: progress.instances ?? 1,
      elapsedMs,
      unit: 'requests',
      // In the warm-up, what it has sent so far: the measured count is still 0.
      done: phase === 'warm-up' && progress.stats !== undefined ? progress.stats.warmup.total : progress.done,
      total: progress.total ?? null,
      durationMs: progress.durationMs ?? null,
      targetRate,
      etaMs,
      failed: progress.failed,
      ...live,
    };
  });
}

/**
 * `cas batch`: lines read, written and pending. An ETA once the end is known: the input has
 * ended (every line is read), or its size is (a file: the lines to come are estimated from the
 * share of its bytes read so far); from a pipe, none.
 */
export function batchSampler(now: Clock = defaultClock): ProgressSampler<BatchProgress> {
  return sampler<BatchProgress>(now, (progress, at, sinceEvent, sinceStart) => {
    const running = progress.phase === 'running';
    const read = progress.read ?? progress.done;
    const live = fromStats(progress.stats, at);
    const share = progress.input === undefined ? undefined : progress.input.bytes > 0 ? Math.min(1, progress.input.read / progress.input.bytes) : 1;
    const expected = progress.draining === true ? read : share !== undefined && share > 0 ? read / share : null;
    const etaMs = running && expected !== null && live.rate !== null && live.rate > 0 ? (Math.max(0, expected - progress.done) / live.rate) * 1000 : null;
    return {
      phase: !running ? progress.phase : progress.draining ? 'draining' : 'running',
      instances: progress.instances ?? 1,
      elapsedMs: progress.phase === 'starting' ? sinceStart : progress.elapsedMs + (running ? sinceEvent : 0),
      unit: 'lines',
      done: progress.done,
      total: null,
      durationMs: null,
      targetRate: null,
      etaMs,
      failed: progress.failed,
      lines: { read, written: progress.done, pending: Math.max(0, read - progress.done), ...(share === undefined ? {} : { share }) },
      ...live,
    };
  });
}

/** Homes by their folder's name, shorter than a path, unless two share one. */
export function homeNames(homes: readonly string[]): string[] {
  const names = homes.map((home) => path.basename(home) || home);
  return new Set(names).size === names.length ? names : [...homes];
}

/** `cas mine`: each home's counts; an ETA once every home's total is known. */
export function mineSampler(instancesPerHome: number, now: Clock = defaultClock): ProgressSampler<MineProgress> {
  return sampler<MineProgress>(now, (progress, _at, sinceEvent, sinceStart) => {
    const homes = progress.homes;
    const totals = homes.map((home) => home.total);
    const total = totals.every((value) => value !== null) ? totals.reduce((sum: number, value) => sum + value!, 0) : null;
    const etaMs = homes.every((home) => home.etaMs !== null) ? Math.max(0, ...homes.map((home) => home.etaMs!)) : null;
    const phases = new Set(homes.map((home) => home.phase));
    const names = homeNames(homes.map((home) => home.home));
    const phase =
      progress.phase === 'starting' ? 'starting' : progress.phase === 'done' ? 'closing' : phases.has('listing') ? 'listing' : phases.has('checking') ? 'checking' : 'running';
    return {
      phase,
      instances: homes.length * instancesPerHome,
      elapsedMs: progress.phase === 'starting' ? sinceStart : progress.elapsedMs + sinceEvent,
      unit: 'threads',
      done: progress.written,
      total,
      durationMs: null,
      rate: progress.phase === 'starting' ? null : homes.reduce((sum, home) => sum + home.rate, 0),
      targetRate: null,
      latency: null,
      etaMs: phase === 'starting' || phase === 'closing' ? null : etaMs,
      failed: progress.failed,
      errors: progress.failed > 0 ? [{ kind: 'thread reads', count: progress.failed }] : [],
      retries: 0,
      overloaded: 0,
      homes: homes.map((home, index) => ({ name: names[index]!, phase: home.phase, listed: home.listed, read: home.read, written: home.written, total: home.total, failed: home.failed })),
    };
  });
}
