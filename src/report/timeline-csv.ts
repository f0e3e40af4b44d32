import type { ServerSecond } from './server-usage.js';
import type { TimelineSecond } from './timeline.js';

type Row = Partial<TimelineSecond> & { second: number };

const cell = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : '');

/**
 * The timeline as CSV, one line per second: counts, latency percentiles (ms), then each
 * instance's CPU (% of one core) and RSS (MB), and the server's own RSS where it said.
 * Empty cells: nothing to say (no request ended, no sample).
 */
export function timelineCsv(timeline: readonly Row[]): string {
  const instances = Math.max(0, ...timeline.map((row) => row.servers?.length ?? 0));
  const withDiagnostics = timeline.some((row) => row.servers?.some((server) => server?.diagnostics !== undefined));
  const header = ['second', 'sent', 'completed', 'errors', 'overloaded', 'p50_ms', 'p90_ms', 'p99_ms'];
  for (let i = 0; i < instances; i++) {
    header.push(`cpu_pct_${i}`, `rss_mb_${i}`);
    if (withDiagnostics) header.push(`server_rss_mb_${i}`);
  }
  const lines = [header.join(',')];
  for (const row of timeline) {
    const cells = [row.second, row.sent, row.completed, row.errors, row.overloaded, row.p50, row.p90, row.p99].map(cell);
    for (let i = 0; i < instances; i++) {
      const server: ServerSecond | null | undefined = row.servers?.[i];
      cells.push(cell(server?.cpuPct), cell(server?.rssMb));
      if (withDiagnostics) cells.push(cell(server?.diagnostics?.rssMb));
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Two runs' timelines in one CSV, a `run` column (A or B) first. */
export function comparisonCsv(a: readonly Row[], b: readonly Row[]): string {
  const [headerA, ...linesA] = timelineCsv(a).trimEnd().split('\n');
  const [headerB, ...linesB] = timelineCsv(b).trimEnd().split('\n');
  // The wider header (more instances) names every column; the other side's rows are shorter.
  const header = (headerA!.length >= headerB!.length ? headerA : headerB)!;
  return `${['run,' + header, ...linesA.map((line) => `A,${line}`), ...linesB.map((line) => `B,${line}`)].join('\n')}\n`;
}
