import { percentileCurve, type PercentilePoint } from '../percentile-curve.js';
import type { LoadedReport } from '../load-report.js';
import { lineChart, type ChartBand, type ChartSeries } from './line-chart.js';
import { COLORS, PALETTE } from './page.js';

/** A timeline row as read from any report (older ones lack p90, overloads and servers). */
export interface LooseRow {
  second: number;
  sent?: number;
  completed?: number;
  errors?: number;
  overloaded?: number;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
  servers?: Array<{ cpuPct?: number | null; rssMb?: number | null; diagnostics?: { rssMb?: number | null; gauges?: Record<string, number> } } | null>;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The report's timeline, defensively typed. */
export function timelineOf(report: LoadedReport): LooseRow[] {
  return (report.timeline as unknown as LooseRow[]).filter((row) => typeof row.second === 'number');
}

/** The warm-up stretch of a run report, to shade. */
export function warmupBand(report: LoadedReport): ChartBand[] {
  const warmup = report.warmup as { ms?: unknown } | undefined;
  const ms = num(warmup?.ms);
  return ms !== null && ms > 0 ? [{ from: 0, to: ms / 1000, label: 'warm-up' }] : [];
}

/** p50, p90 and p99 of the requests that ended in each second. */
export function latencyChart(id: string, rows: LooseRow[], bands: ChartBand[]): string {
  return lineChart({
    id,
    title: 'Latency over time',
    yLabel: 'ms',
    xLabel: 'second',
    x: rows.map((row) => row.second),
    series: [
      { name: 'p50', color: COLORS.p50, values: rows.map((row) => num(row.p50)) },
      { name: 'p90', color: COLORS.p90, values: rows.map((row) => num(row.p90)) },
      { name: 'p99', color: COLORS.p99, values: rows.map((row) => num(row.p99)) },
    ],
    bands,
    note: 'Percentiles of the requests that ended in each second (from a per-second HdrHistogram).',
  });
}

/** Requests sent and completed per second, with errors and -32001 refusals. */
export function throughputChart(id: string, rows: LooseRow[], bands: ChartBand[]): string {
  const series = (name: string, color: string, key: 'sent' | 'completed' | 'errors' | 'overloaded', dashed = false): ChartSeries => ({
    name,
    color,
    dashed,
    values: rows.map((row) => num(row[key])),
  });
  return lineChart({
    id,
    title: 'Throughput and errors over time',
    yLabel: 'per second',
    xLabel: 'second',
    yScale: 'linear',
    x: rows.map((row) => row.second),
    series: [series('completed', COLORS.ok, 'completed'), series('sent', COLORS.sent, 'sent', true), series('errors', COLORS.errors, 'errors'), series('overloaded (-32001)', COLORS.overloaded, 'overloaded')],
    bands,
    note: 'Requests first sent (or due) and ended in each second; errors are final failures, overloads are refused attempts (retried).',
  });
}

const NINES_TICKS = [0, 1, 2, 3, 4, 5, 6].map((nines) => ({ value: nines, label: nines === 0 ? '0%' : `${(100 * (1 - 10 ** -nines)).toFixed(Math.max(0, nines - 2))}%` }));

/** The latency at each percentile, on a log axis of "nines", for one report or several (a comparison). */
export function distributionChart(id: string, curves: ReadonlyArray<{ name: string; color: string; points: PercentilePoint[] | undefined }>): string {
  const drawn = curves.filter((curve): curve is { name: string; color: string; points: PercentilePoint[] } => curve.points !== undefined);
  // One x axis for all: every curve's points, in nines, merged.
  const x = [...new Set(drawn.flatMap((curve) => curve.points.map((point) => Number(point.nines.toFixed(6)))))].sort((a, b) => a - b);
  const lastNines = x.at(-1) ?? 0;
  const series = drawn.map((curve) => {
    const byNines = new Map(curve.points.map((point) => [Number(point.nines.toFixed(6)), point.ms]));
    return { name: curve.name, color: curve.color, values: x.map((nines) => byNines.get(nines) ?? null) };
  });
  const names = x.map((nines) => `p${Number((100 * (1 - 10 ** -nines)).toFixed(4))}`);
  return lineChart({
    id,
    title: 'Latency by percentile',
    yLabel: 'ms',
    xLabel: 'percentile',
    x,
    xNames: names,
    xTicks: NINES_TICKS.filter((tick) => tick.value <= lastNines),
    // Curves of different counts end at different points: each one's gaps take its next value (a step function).
    series: series.map((s) => ({ ...s, values: fillSteps(s.values) })),
    yScale: 'auto',
    note: 'From the run\u2019s HdrHistogram: the latency at or under which that share of requests ended; the axis spreads the tail (90%, 99%, 99.9%, ...).',
  });
}

/** Fills a curve's gaps (points another curve has) with its value at the next known point. */
function fillSteps(values: Array<number | null>): Array<number | null> {
  const out = [...values];
  let next: number | null = null;
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === null) out[i] = next;
    else next = out[i]!;
  }
  return out;
}

/** The percentile distribution of a report. */
export function reportCurve(report: LoadedReport): PercentilePoint[] | undefined {
  return report.requests.total > 0 ? percentileCurve(report.histogram, report.latencyMs) : undefined;
}

/** Per-instance lines of one server figure; past 8 instances, the mean and the largest. */
function perInstanceSeries(rows: LooseRow[], pick: (server: NonNullable<NonNullable<LooseRow['servers']>[number]>) => number | null | undefined): ChartSeries[] {
  const count = Math.max(0, ...rows.map((row) => row.servers?.length ?? 0));
  const value = (row: LooseRow, i: number) => {
    const server = row.servers?.[i];
    return server === null || server === undefined ? null : num(pick(server));
  };
  if (count <= PALETTE.length) {
    return Array.from({ length: count }, (_, i) => ({ name: `instance ${i}`, color: PALETTE[i]!, values: rows.map((row) => value(row, i)) }));
  }
  const across = (row: LooseRow) => Array.from({ length: count }, (_, i) => value(row, i)).filter((v): v is number => v !== null);
  return [
    { name: `mean of ${count} instances`, color: PALETTE[0]!, values: rows.map((row) => (across(row).length === 0 ? null : Number((across(row).reduce((a, b) => a + b, 0) / across(row).length).toFixed(1)))) },
    { name: 'largest', color: PALETTE[3]!, values: rows.map((row) => (across(row).length === 0 ? null : Math.max(...across(row)))) },
  ];
}

/** Each app-server's CPU, in % of one core. */
export function cpuChart(id: string, rows: LooseRow[], bands: ChartBand[]): string {
  return lineChart({
    id,
    title: 'App-server CPU',
    yLabel: '% of a core',
    xLabel: 'second',
    yScale: 'linear',
    x: rows.map((row) => row.second),
    series: perInstanceSeries(rows, (server) => server.cpuPct),
    bands,
    note: 'CPU used by each app-server\u2019s process group (the server and what it started), read from /proc once a second.',
  });
}

/** Each app-server's resident memory. */
export function rssChart(id: string, rows: LooseRow[], bands: ChartBand[]): string {
  const fromProc = rows.some((row) => row.servers?.some((server) => num(server?.rssMb) !== null));
  return lineChart({
    id,
    title: 'App-server memory (RSS)',
    yLabel: 'MB',
    xLabel: 'second',
    yScale: 'linear',
    x: rows.map((row) => row.second),
    series: perInstanceSeries(rows, (server) => (fromProc ? server.rssMb : server.diagnostics?.rssMb)),
    bands,
    note: fromProc ? 'Resident memory of each app-server\u2019s process group (MB = 2^20 bytes).' : 'Resident memory as each server reported it (server/diagnostics).',
  });
}

/** The servers' own gauges (`server/diagnostics`), summed over instances; undefined when none reported any. */
export function gaugesChart(id: string, rows: LooseRow[], bands: ChartBand[]): string | undefined {
  const names = [...new Set(rows.flatMap((row) => (row.servers ?? []).flatMap((server) => Object.keys(server?.diagnostics?.gauges ?? {}))))].sort().slice(0, PALETTE.length);
  if (names.length === 0) return undefined;
  return lineChart({
    id,
    title: 'Server gauges (server/diagnostics)',
    yLabel: 'value',
    xLabel: 'second',
    yScale: 'linear',
    x: rows.map((row) => row.second),
    series: names.map((name, i) => ({
      name,
      color: PALETTE[i]!,
      values: rows.map((row) => {
        const values = (row.servers ?? []).map((server) => num(server?.diagnostics?.gauges?.[name])).filter((v): v is number => v !== null);
        return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
      }),
    })),
    bands,
    note: 'The servers\u2019 own gauges, summed over instances, as server/diagnostics (experimental) reported them; they count cas\u2019s own diagnostics request.',
  });
}

/** Whether the timeline carries any server sample. */
export function hasServerSamples(rows: LooseRow[]): boolean {
  return rows.some((row) => row.servers?.some((server) => server !== null && (num(server.cpuPct) !== null || num(server.rssMb) !== null || server.diagnostics !== undefined)));
}
