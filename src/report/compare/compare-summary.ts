import { describeCodex } from '../../codex/describe-codex.js';
import type { Comparison, MetricComparison } from './compare-reports.js';

/** A figure as a person reads it: rates in %, the rest with up to 4 significant digits. */
export function formatFigure(metric: Pick<MetricComparison, 'unit'>, value: number): string {
  if (metric.unit === '') return `${Number((value * 100).toPrecision(3))}%`;
  return String(Number(value.toPrecision(4)));
}

/** The verdict column: yes / no / not judged, with the test's figures. */
export function verdictText(metric: MetricComparison): string {
  const { noise } = metric;
  if (noise.beyond === null) return `not judged (${noise.reason})`;
  const test = noise.t === null ? 'neither run varied' : `t ${noise.t}, beyond at |t| > ${noise.critical}`;
  return `${noise.beyond ? 'yes' : 'no'} (${test})`;
}

function changeText(metric: MetricComparison): string {
  if (metric.worsePct === null) return '-';
  if (Math.abs(metric.worsePct) < 0.05) return 'same';
  return `${Math.abs(metric.worsePct).toFixed(1)}% ${metric.worsePct > 0 ? 'worse' : 'better'}`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
}

/** The comparison as a table for a person, with how noise was judged and the gate's verdict. */
export function compareSummary(comparison: Comparison): string {
  const lines = ['cas compare: B against A'];
  for (const [name, run] of [['A', comparison.a], ['B', comparison.b]] as const) {
    lines.push(`  ${name} = ${run.label}: ${run.requests} requests, ${describeCodex({ path: run.codex, version: run.version, userAgent: run.userAgent })}${run.startedAt === null ? '' : `, started ${run.startedAt}`}`);
  }
  for (const warning of comparison.warnings) lines.push(`  warning: ${warning}`);
  const header = ['metric', 'A', 'B', 'B/A', 'change', 'beyond noise'];
  const rows = comparison.metrics.map((metric) => [
    `${metric.label}${metric.unit === '' ? '' : ` ${metric.unit}`}`,
    formatFigure(metric, metric.a),
    formatFigure(metric, metric.b),
    metric.ratio === null ? '-' : metric.ratio.toFixed(3),
    changeText(metric),
    verdictText(metric),
  ]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  lines.push(`  ${pad(header, widths)}`);
  for (const row of rows) lines.push(`  ${pad(row, widths)}`);
  lines.push(`  noise: ${comparison.noise}`);
  if (comparison.maxRegressionPct !== null) {
    const gated = comparison.metrics.filter((metric) => metric.gated).map((metric) => metric.label).join(', ');
    const verdict =
      comparison.regressions.length === 0
        ? 'no regression'
        : `REGRESSED: ${comparison.metrics
            .filter((metric) => metric.regressed)
            .map((metric) => `${metric.label} ${metric.worsePct}% worse`)
            .join(', ')}`;
    lines.push(`  max regression ${comparison.maxRegressionPct}% (${gated}; beyond noise or not judged): ${verdict}`);
    const unproven = comparison.metrics.filter((metric) => (comparison.unproven ?? []).includes(metric.metric));
    if (unproven.length > 0) {
      lines.push(`  not proven: ${unproven.map((metric) => `${metric.label} ${metric.worsePct}% worse`).join(', ')}, but within the runs' noise: a longer run or more rounds can tell`);
    }
  }
  return `${lines.join('\n')}\n`;
}
