import { versionFromUserAgent } from '../../codex/codex-version.js';
import type { LoadedReport } from '../load-report.js';
import { blocksOf, MAX_SECOND_BLOCKS, type Block, type MetricName } from './blocks.js';
import { CONFIDENCE, welchTest } from './welch.js';

/** Whether a difference stands out from the runs' own noise. */
export interface NoiseVerdict {
  /** True: beyond noise; false: within it; null: not judged (see `reason`). */
  beyond: boolean | null;
  /** Welch's t of B against A over the blocks; null when not judged or neither run varied. */
  t: number | null;
  /** |t| must exceed this to be beyond noise. */
  critical: number | null;
  reason?: string;
}

/** One metric of A and B, side by side. */
export interface MetricComparison {
  metric: MetricName;
  label: string;
  unit: string;
  /** Which way is better. */
  better: 'higher' | 'lower';
  a: number;
  b: number;
  /** B / A; null when A is 0. */
  ratio: number | null;
  /** How much worse B is than A, in %, (negative: better); null when A is 0. */
  worsePct: number | null;
  noise: NoiseVerdict;
  /** Counts towards --max-regression: a speed figure of a run (not throughput under a fixed rate). */
  gated: boolean;
  /** Worse than --max-regression allows, beyond noise (or where noise could not be judged). */
  regressed: boolean;
}

/** One side of a comparison. */
export interface ComparedRun {
  label: string;
  codex: string;
  userAgent: string | null;
  /** The codex version the server's user agent names. */
  version: string | null;
  startedAt: string | null;
  requests: number;
  /** Where its replicates came from, and how many. */
  blocks: { from: 'rounds' | 'seconds'; count: number };
}

/** `cas compare` (and `cas run --compare-bin`) output. */
export interface Comparison {
  a: ComparedRun;
  b: ComparedRun;
  metrics: MetricComparison[];
  /** How noise was judged, in words. */
  noise: string;
  confidence: number;
  maxRegressionPct: number | null;
  /** Metrics that regressed beyond --max-regression (exit 3). */
  regressions: MetricName[];
  /** Metrics worse than --max-regression allows but within the runs' noise: longer runs or more rounds can tell. */
  unproven: MetricName[];
  /** Differences in what ran that make the comparison doubtful. */
  warnings: string[];
}

interface MetricSpec {
  metric: MetricName;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  value(report: LoadedReport): number;
  gated: boolean;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const METRICS: MetricSpec[] = [
  { metric: 'throughput', label: 'throughput', unit: 'req/s', better: 'higher', value: (r) => r.throughputRps, gated: true },
  { metric: 'p50', label: 'p50', unit: 'ms', better: 'lower', value: (r) => r.latencyMs.p50, gated: true },
  { metric: 'p90', label: 'p90', unit: 'ms', better: 'lower', value: (r) => r.latencyMs.p90, gated: true },
  { metric: 'p95', label: 'p95', unit: 'ms', better: 'lower', value: (r) => r.latencyMs.p95, gated: false },
  { metric: 'p99', label: 'p99', unit: 'ms', better: 'lower', value: (r) => r.latencyMs.p99, gated: true },
  { metric: 'p999', label: 'p99.9', unit: 'ms', better: 'lower', value: (r) => r.latencyMs.p999, gated: false },
  { metric: 'max', label: 'max', unit: 'ms', better: 'lower', value: (r) => r.latencyMs.max, gated: false },
  { metric: 'errorRate', label: 'error rate', unit: '', better: 'lower', value: (r) => rate(r.requests.failed, r.requests.total), gated: false },
  { metric: 'overloadRate', label: 'overload rate', unit: '', better: 'lower', value: (r) => rate(r.requests.overloaded, r.requests.total), gated: false },
];

const round = (value: number, digits = 4) => Number(value.toPrecision(digits));

function verdict(metric: MetricName, a: Block[], b: Block[]): NoiseVerdict {
  const va = a.map((block) => block[metric]).filter((v): v is number => v !== undefined);
  const vb = b.map((block) => block[metric]).filter((v): v is number => v !== undefined);
  if (va.length < 3 || vb.length < 3) {
    const reason = va.length === 0 && vb.length === 0 && a.length >= 3 && b.length >= 3 ? 'no per-second value' : 'too few seconds or rounds (3 needed per run)';
    return { beyond: null, t: null, critical: null, reason };
  }
  const test = welchTest(va, vb);
  return { beyond: test.beyond, t: test.t === null ? null : round(test.t, 3), critical: test.critical };
}

function side(label: string, report: LoadedReport, count: number, from: 'rounds' | 'seconds'): ComparedRun {
  const userAgent = report.codex.userAgent ?? null;
  return { label, codex: report.codex.path, userAgent, version: report.codex.version ?? versionFromUserAgent(userAgent), startedAt: report.startedAt ?? null, requests: report.requests.total, blocks: { from, count } };
}

/** Differences in the workloads that a reader should know before trusting the figures. */
function warningsFor(a: LoadedReport, b: LoadedReport): string[] {
  const warnings: string[] = [];
  for (const key of ['method', 'rate', 'measuredTo'] as const) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) warnings.push(`${key} differs: A ${JSON.stringify(a[key] ?? null)}, B ${JSON.stringify(b[key] ?? null)}`);
  }
  if (a.instances.started !== b.instances.started) warnings.push(`instances differ: A ${a.instances.started}, B ${b.instances.started}`);
  if (a.requests.total === 0 || b.requests.total === 0) warnings.push('a run with no requests has no figures to compare');
  return warnings;
}

/**
 * Compares B against A. Every figure comes from the reports; whether a difference is real is
 * judged from each run's own replicates (its rounds, or stretches of its seconds) with Welch's
 * t-test, so a run that varied a lot second to second needs a bigger difference to count.
 */
export function compareReports(a: LoadedReport, b: LoadedReport, options: { labels?: [string, string]; maxRegressionPct?: number } = {}): Comparison {
  const blocksA = blocksOf(a);
  const blocksB = blocksOf(b);
  const openModel = typeof a.rate === 'number' && typeof b.rate === 'number';
  const metrics = METRICS.map((spec): MetricComparison => {
    const va = spec.value(a);
    const vb = spec.value(b);
    const ratio = va > 0 ? round(vb / va) : null;
    const worse = va > 0 ? (spec.better === 'lower' ? vb / va - 1 : 1 - vb / va) * 100 : null;
    const noise = verdict(spec.metric, blocksA.blocks, blocksB.blocks);
    // Under a fixed rate, throughput is the rate: it says nothing of speed.
    const gated = spec.gated && !(spec.metric === 'throughput' && openModel);
    const limit = options.maxRegressionPct;
    const regressed = limit !== undefined && gated && worse !== null && worse > limit && noise.beyond !== false;
    return { metric: spec.metric, label: spec.label, unit: spec.unit, better: spec.better, a: va, b: vb, ratio, worsePct: worse === null ? null : round(worse, 3), noise, gated, regressed };
  });
  const from = blocksA.from === 'rounds' && blocksB.from === 'rounds' ? 'rounds' : 'seconds';
  const noise =
    from === 'rounds'
      ? `each round of the alternating run is one replicate (A ${blocksA.blocks.length}, B ${blocksB.blocks.length}); a difference is beyond noise when Welch's t-test on the rounds' figures rejects "no difference" at ${CONFIDENCE * 100}% (two-sided)`
      : `each run's per-second values (warm-up and the last, partial second left out) are cut into up to ${MAX_SECOND_BLOCKS} stretches of consecutive seconds (A ${blocksA.blocks.length}, B ${blocksB.blocks.length}); a difference is beyond noise when Welch's t-test on the stretches' figures rejects "no difference" at ${CONFIDENCE * 100}% (two-sided); p95, p99.9 and max have no per-second values and are not judged`;
  const [labelA, labelB] = options.labels ?? ['A', 'B'];
  return {
    a: side(labelA, a, blocksA.blocks.length, blocksA.from),
    b: side(labelB, b, blocksB.blocks.length, blocksB.from),
    metrics,
    noise,
    confidence: CONFIDENCE,
    maxRegressionPct: options.maxRegressionPct ?? null,
    regressions: metrics.filter((metric) => metric.regressed).map((metric) => metric.metric),
    unproven: metrics
      .filter((metric) => options.maxRegressionPct !== undefined && metric.gated && metric.worsePct !== null && metric.worsePct > options.maxRegressionPct && metric.noise.beyond === false)
      .map((metric) => metric.metric),
    warnings: warningsFor(a, b),
  };
}
