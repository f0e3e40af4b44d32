import type { RunReport } from './run-report.js';
import { truncate } from './truncate.js';

function formatCode(code: number | string): string {
  return typeof code === 'number' ? String(code) : `[${code}]`;
}

/** A few lines for a person: what ran, how it went, latency, errors. */
export function formatRunSummary(report: RunReport): string {
  const { requests, latencyMs: l, instances } = report;
  const lines = [
    `cas run ${report.method}: ${requests.total} requests on ${instances.started}/${instances.requested} instances in ${(report.wallMs / 1000).toFixed(2)} s (${report.throughputRps} req/s)${report.interrupted ? ' [interrupted]' : ''}`,
    `  ok ${requests.ok}, failed ${requests.failed}, retries ${requests.retries} (overloaded ${requests.overloaded}, timed out ${requests.timedOut})`,
    `  latency ms: min ${l.min}  p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max}`,
    `  codex: ${report.codex.path}${report.codex.userAgent === null ? '' : ` (${report.codex.userAgent})`}`,
  ];
  if (instances.failed.length > 0) lines.push(`  ${instances.failed.length} instance(s) failed to start (see stderr)`);
  for (const error of report.errors.slice(0, 5)) lines.push(`  error ${formatCode(error.code)} x${error.count}: ${truncate(error.message)}`);
  if (report.errors.length > 5) lines.push(`  ... ${report.errors.length - 5} more kinds of error (see --json)`);
  return `${lines.join('\n')}\n`;
}
