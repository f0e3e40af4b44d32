import type { BaseReport } from '../../src/report/base-report.js';
import { buildRunReport, type RunReport } from '../../src/report/run-report.js';
import { RunStats } from '../../src/report/run-stats.js';

/** What a synthetic run looks like: a steady rate of requests whose latencies follow a log-normal law. */
export interface SyntheticRun {
  seconds: number;
  perSecond: number;
  /** Median latency, in ms. */
  medianMs: number;
  /** Spread of ln(latency). */
  sigma: number;
  seed: number;
  /** Every n-th request fails (default: none). */
  failEvery?: number;
  /** Every n-th request was refused once with -32001 before it went through (default: none). */
  overloadEvery?: number;
}

/** A small, well-known generator (mulberry32): the same seed gives the same run everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A real `cas run` report (the same RunStats, HdrHistogram and timeline code) of a run that never
 * happened: latencies drawn from a known distribution with a fixed seed, at known times. Tests
 * of comparisons use it so that "different" and "the same" are known, not timed.
 */
export function syntheticReport(run: SyntheticRun): RunReport {
  const next = random(run.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const stats = new RunStats(0, 0);
  let seq = 0;
  for (let second = 0; second < run.seconds; second++) {
    for (let i = 0; i < run.perSecond; i++, seq++) {
      const latencyMs = run.medianMs * Math.exp(run.sigma * normal());
      const fails = run.failEvery !== undefined && seq % run.failEvery === run.failEvery - 1;
      const overloaded = run.overloadEvery !== undefined && seq % run.overloadEvery === 0 ? 1 : 0;
      stats.add(0, { seq, warmup: false }, {
        ok: !fails,
        result: fails ? undefined : {},
        error: fails ? { code: -32603, message: 'synthetic failure' } : undefined,
        attempts: 1 + overloaded,
        overloaded,
        timedOut: 0,
        latencyMs,
        startedAt: second * 1000 + (i * 1000) / run.perSecond,
      });
    }
  }
  const wallMs = run.seconds * 1000;
  const base: BaseReport = {
    codex: { path: `/opt/codex-synthetic-${run.medianMs}ms`, source: 'flag', userAgent: `synthetic/${run.seed}`, version: null },
    instances: { requested: 1, started: 1, restarts: 0, failed: [] },
    requests: { ...stats.totals },
    errors: stats.errors.toArray(),
    latencyMs: stats.latency.summary(),
    histogram: stats.latency.encode(),
    throughputRps: Math.round((stats.latency.count / wallMs) * 1000 * 10) / 10,
    wallMs,
    startupWallMs: 0,
    startedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    phaseStartedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    shard: { index: 0, count: 1, jobId: null },
    budget: null,
    interrupted: false,
    serverRequests: [],
    mockModel: null,
    perInstance: [],
    timeline: stats.timeline.toArray(),
    timelineHistograms: stats.timeline.histograms(),
    serverSampling: null,
  };
  return buildRunReport({ base, stats, method: 'thread/list', params: {}, measuredTo: 'reply', warmupMs: 0, thresholds: [] });
}
