import type { Comparison } from '../compare/compare-reports.js';
import { formatFigure, verdictText } from '../compare/compare-summary.js';
import type { RoundSummary } from '../compare/blocks.js';
import type { LoadedReport } from '../load-report.js';
import { formatReportSummary } from '../report-summary.js';
import { escapeHtml } from './escape.js';
import { lineChart, type ChartBand, type ChartSeries } from './line-chart.js';
import { COLORS, htmlPage, table } from './page.js';
import { distributionChart, reportCurve, timelineOf, type LooseRow } from './report-charts.js';
import { footerHtml, type PageFooter } from './report-page.js';
import { codexSection } from './report-tables.js';

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** One figure per second for A and B on one axis (the seconds of each run, or one clock for an alternating run). */
function sideBySide(a: LoadedReport, b: LoadedReport, pick: (row: LooseRow) => number | null): { x: number[]; a: Array<number | null>; b: Array<number | null> } {
  const rowsA = new Map(timelineOf(a).map((row) => [row.second, row]));
  const rowsB = new Map(timelineOf(b).map((row) => [row.second, row]));
  const last = Math.max(-1, ...rowsA.keys(), ...rowsB.keys());
  const x = Array.from({ length: last + 1 }, (_, i) => i);
  const value = (rows: Map<number, LooseRow>, second: number) => {
    const row = rows.get(second);
    return row === undefined ? null : pick(row);
  };
  return { x, a: x.map((s) => value(rowsA, s)), b: x.map((s) => value(rowsB, s)) };
}

/** The rounds of an alternating run, shaded by side. */
function roundBands(a: LoadedReport, b: LoadedReport): ChartBand[] {
  const bands = (report: LoadedReport, label: string, color: string) =>
    (Array.isArray(report.rounds) ? (report.rounds as RoundSummary[]) : []).map((round) => ({ from: round.fromSecond, to: round.toSecond, label, color }));
  return [...bands(a, 'A', COLORS.a), ...bands(b, 'B', COLORS.b)];
}

function pairChart(id: string, title: string, unit: string, a: LoadedReport, b: LoadedReport, pick: (row: LooseRow) => number | null, note: string, bands: ChartBand[]): string {
  const data = sideBySide(a, b, pick);
  const series: ChartSeries[] = [
    { name: 'A', color: COLORS.a, values: data.a },
    { name: 'B', color: COLORS.b, values: data.b, dashed: true },
  ];
  return lineChart({ id, title, yLabel: unit, xLabel: 'second', x: data.x, series, bands, note, yScale: unit === 'ms' ? 'auto' : 'linear' });
}

const sumServers = (row: LooseRow, key: 'cpuPct' | 'rssMb') => {
  const values = (row.servers ?? []).map((server) => num(server?.[key])).filter((v): v is number => v !== null);
  return values.length === 0 ? null : Math.round(values.reduce((s, v) => s + v, 0) * 10) / 10;
};

function metricsTable(comparison: Comparison): string {
  const rows = comparison.metrics.map((metric) => {
    const changed = metric.worsePct === null ? '-' : `${Math.abs(metric.worsePct).toFixed(1)}% ${metric.worsePct > 0 ? 'worse' : metric.worsePct < 0 ? 'better' : ''}`;
    const cls = metric.regressed || (metric.noise.beyond === true && (metric.worsePct ?? 0) > 0) ? 'bad' : metric.noise.beyond === true ? 'good' : '';
    return [
      escapeHtml(`${metric.label}${metric.unit === '' ? '' : ` (${metric.unit})`}`),
      escapeHtml(formatFigure(metric, metric.a)),
      escapeHtml(formatFigure(metric, metric.b)),
      metric.ratio === null ? '-' : metric.ratio.toFixed(3),
      `<span class="${cls}">${escapeHtml(changed)}</span>`,
      `<span class="${cls}">${escapeHtml(verdictText(metric))}</span>${metric.regressed ? ' <span class="badge bad">regressed</span>' : ''}`,
    ];
  });
  return table(['metric', 'A', 'B', 'B / A', 'change', 'beyond noise'], rows, [0, 5]);
}

/** Two runs compared: the table, the distributions and timelines overlaid, and each side's details. */
export function renderCompareHtml(a: LoadedReport, b: LoadedReport, comparison: Comparison, footer: PageFooter): string {
  const gate =
    comparison.maxRegressionPct === null
      ? ''
      : comparison.regressions.length > 0
        ? `<span class="badge bad">regressed beyond ${comparison.maxRegressionPct}%</span>`
        : `<span class="badge good">within ${comparison.maxRegressionPct}%</span>`;
  const header = `<h1>cas compare${gate}</h1><p class="sub">A = ${escapeHtml(comparison.a.label)} &nbsp; B = ${escapeHtml(comparison.b.label)}</p>`;
  const bands = roundBands(a, b);
  const charts = [
    distributionChart('chart-distribution', [
      { name: 'A', color: COLORS.a, points: reportCurve(a) },
      { name: 'B', color: COLORS.b, points: reportCurve(b) },
    ]),
    pairChart('chart-p50', 'p50 over time', 'ms', a, b, (row) => num(row.p50), 'Median latency of the requests that ended in each second.', bands),
    pairChart('chart-p99', 'p99 over time', 'ms', a, b, (row) => num(row.p99), '99th percentile of the requests that ended in each second.', bands),
    pairChart('chart-throughput', 'Completed per second', 'per second', a, b, (row) => num(row.completed), 'Requests that ended in each second.', bands),
  ];
  const sampled = [a, b].some((report) => timelineOf(report).some((row) => sumServers(row, 'cpuPct') !== null));
  if (sampled) {
    charts.push(pairChart('chart-cpu', 'App-server CPU, all instances', '% of a core', a, b, (row) => sumServers(row, 'cpuPct'), 'CPU of every app-server of the side, added up.', bands));
    charts.push(pairChart('chart-rss', 'App-server memory, all instances', 'MB', a, b, (row) => sumServers(row, 'rssMb'), 'Resident memory of every app-server of the side, added up.', bands));
  }
  const warnings = comparison.warnings.map((warning) => `<p class="bad">warning: ${escapeHtml(warning)}</p>`).join('');
  const body = [
    warnings,
    metricsTable(comparison),
    `<p class="note">Noise: ${escapeHtml(comparison.noise)}.</p>`,
    `<div class="charts">${charts.join('')}</div>`,
    `<h2>A = ${escapeHtml(comparison.a.label)}</h2><pre>${escapeHtml(formatReportSummary(a))}</pre>${codexSection(a)}`,
    `<h2>B = ${escapeHtml(comparison.b.label)}</h2><pre>${escapeHtml(formatReportSummary(b))}</pre>${codexSection(b)}`,
  ].join('\n');
  return htmlPage(`cas compare: ${comparison.a.label} vs ${comparison.b.label}`, header, body, footerHtml(footer));
}
