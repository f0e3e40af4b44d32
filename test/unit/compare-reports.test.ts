import { describe, expect, it } from 'vitest';
import { blocksOf, type RoundSummary } from '../../src/report/compare/blocks.js';
import { compareReports, type MetricComparison } from '../../src/report/compare/compare-reports.js';
import { compareSummary } from '../../src/report/compare/compare-summary.js';
import { criticalT, welchTest } from '../../src/report/compare/welch.js';
import type { LoadedReport } from '../../src/report/load-report.js';
import { syntheticReport, type SyntheticRun } from '../helpers/synthetic-report.js';

const BASE: SyntheticRun = { seconds: 12, perSecond: 200, medianMs: 10, sigma: 0.3, seed: 1 };
const loaded = (run: SyntheticRun) => syntheticReport(run) as unknown as LoadedReport;
const metric = (metrics: MetricComparison[], name: MetricComparison['metric']) => metrics.find((m) => m.metric === name)!;

describe("Welch's t-test", () => {
  it('uses the stricter critical value between table rows and the normal one past them', () => {
    expect(criticalT(4)).toBe(8.61);
    expect(criticalT(4.9)).toBe(8.61);
    expect(criticalT(45)).toBe(3.551);
    expect(criticalT(1000)).toBe(3.291);
    expect(criticalT(0.5)).toBe(Infinity);
  });

  it('gives the textbook t and degrees of freedom', () => {
    const result = welchTest([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]);
    // Means 3 and 5, variances 2.5 each: t = 2 / sqrt(1) = 2, df = 8.
    expect(result.t).toBeCloseTo(2, 10);
    expect(result.df).toBeCloseTo(8, 10);
    expect(result.beyond).toBe(false);
    expect(welchTest([1, 1, 1], [2, 2, 2])).toMatchObject({ t: null, beyond: true });
    expect(welchTest([1, 1, 1], [1, 1, 1])).toMatchObject({ t: null, beyond: false });
  });
});

describe('compareReports on runs of known distributions', () => {
  it('finds a 30% slower distribution slower beyond noise, at every judged percentile', () => {
    const comparison = compareReports(loaded(BASE), loaded({ ...BASE, medianMs: 13, seed: 2 }));
    for (const name of ['p50', 'p90', 'p99'] as const) {
      const m = metric(comparison.metrics, name);
      expect(m.noise.beyond, name).toBe(true);
      expect(m.ratio!, name).toBeGreaterThan(1.2);
      expect(m.ratio!, name).toBeLessThan(1.4);
    }
    // The same schedule: throughput does not differ at all.
    expect(metric(comparison.metrics, 'throughput').noise.beyond).toBe(false);
    // No per-second values: said, not guessed.
    expect(metric(comparison.metrics, 'p999').noise).toMatchObject({ beyond: null, reason: 'no per-second value' });
    expect(comparison.a.blocks).toEqual({ from: 'seconds', count: 10 });
  });

  it('finds nothing beyond noise between two runs of the same distribution', () => {
    const comparison = compareReports(loaded(BASE), loaded({ ...BASE, seed: 99 }));
    for (const m of comparison.metrics) expect(m.noise.beyond, m.metric).not.toBe(true);
    expect(compareSummary(comparison)).not.toMatch(/\byes\b/);
  });

  it('finds errors and overloads that one run has and the other has not', () => {
    const comparison = compareReports(loaded(BASE), loaded({ ...BASE, seed: 3, failEvery: 20, overloadEvery: 10 }));
    expect(metric(comparison.metrics, 'errorRate')).toMatchObject({ a: 0, b: 0.05, noise: { beyond: true } });
    expect(metric(comparison.metrics, 'overloadRate')).toMatchObject({ a: 0, b: 0.1, noise: { beyond: true } });
  });

  it('gates on --max-regression only for slowdowns beyond noise', () => {
    const slower = loaded({ ...BASE, medianMs: 13, seed: 2 });
    expect(compareReports(loaded(BASE), slower, { maxRegressionPct: 10 }).regressions).toEqual(['p50', 'p90', 'p99']);
    expect(compareReports(loaded(BASE), slower, { maxRegressionPct: 50 }).regressions).toEqual([]);
    // Faster is no regression, however large.
    expect(compareReports(slower, loaded(BASE), { maxRegressionPct: 1 }).regressions).toEqual([]);
    // Within noise: 3% slower with the same spread is not called a regression at 1%.
    const slightly = compareReports(loaded(BASE), loaded({ ...BASE, medianMs: 10.3, seed: 5 }), { maxRegressionPct: 1 });
    expect(metric(slightly.metrics, 'p50').worsePct!).toBeGreaterThan(1);
    expect(slightly.regressions).toEqual([]);
  });

  it('does not judge runs too short to show their noise, and the gate then goes by the figures', () => {
    const comparison = compareReports(loaded({ ...BASE, seconds: 2 }), loaded({ ...BASE, seconds: 2, medianMs: 20, seed: 2 }), { maxRegressionPct: 10 });
    expect(metric(comparison.metrics, 'p50').noise).toMatchObject({ beyond: null, reason: expect.stringMatching(/too few/) });
    expect(comparison.regressions).toContain('p50');
  });

  it('warns when the two runs did not do the same work', () => {
    const other = { ...loaded(BASE), method: 'thread/read' } as LoadedReport;
    expect(compareReports(loaded(BASE), other).warnings).toEqual(['method differs: A "thread/list", B "thread/read"']);
  });
});

describe('blocksOf', () => {
  it('takes the rounds of an alternating run as its replicates', () => {
    const rounds: RoundSummary[] = [0, 1, 2].map((round) => ({
      round,
      fromSecond: round * 2,
      toSecond: round * 2 + 1,
      wallMs: 1000,
      requests: 100,
      failed: round,
      overloaded: 0,
      latencyMs: { p50: 5 + round, p90: 9, p95: 10, p99: 12, p999: 14, max: 20 },
    }));
    const blocks = blocksOf({ ...loaded(BASE), rounds } as LoadedReport);
    expect(blocks.from).toBe('rounds');
    expect(blocks.blocks.map((block) => [block.throughput, block.p50, block.errorRate])).toEqual([
      [100, 5, 0],
      [100, 6, 0.01],
      [100, 7, 0.02],
    ]);
  });

  it('leaves out the warm-up and the last, partial second', () => {
    const report = { ...loaded({ ...BASE, seconds: 6 }), warmup: { ms: 1500, total: 0, ok: 0, failed: 0 } } as LoadedReport;
    // Rows 0..6 (the last requests end in second 6): seconds 0 and 1 are warm-up, 6 is partial.
    expect(blocksOf(report).blocks).toHaveLength(4);
  });
});

describe('compareSummary', () => {
  it('says when a slowdown past the limit is within the noise, rather than pass it in silence', () => {
    // Few seconds of a wide law: B's p99 is far worse, but the runs vary too much to tell.
    const a = loaded({ ...BASE, seconds: 5, perSecond: 20, sigma: 1.2 });
    const b = loaded({ ...BASE, seconds: 5, perSecond: 20, sigma: 1.2, seed: 4, medianMs: 12 });
    const comparison = compareReports(a, b, { maxRegressionPct: 5 });
    expect(comparison.regressions).toEqual([]);
    expect(comparison.unproven.length).toBeGreaterThan(0);
    expect(compareSummary(comparison)).toMatch(/\n {2}not proven: .*% worse.*, but within the runs' noise: a longer run or more rounds can tell\n$/);
  });
});
