import type { BatchReport } from '../batch/run-batch.js';
import type { MineReport } from '../mine/run-mine.js';
import type { BaseReport } from './base-report.js';
import type { RunReport } from './run-report.js';
import { truncate } from './truncate.js';

function formatCode(code: number | string): string {
  return typeof code === 'number' ? String(code) : `[${code}]`;
}

/** The lines every summary shares: outcomes, latency, codex, failures. */
function commonLines(report: BaseReport): string[] {
  const { requests, latencyMs: l, instances } = report;
  const lines = [
    `  ok ${requests.ok}, failed ${requests.failed}, retries ${requests.retries} (overloaded ${requests.overloaded}, timed out ${requests.timedOut})`,
    `  latency ms: min ${l.min}  p50 ${l.p50}  p90 ${l.p90}  p99 ${l.p99}  max ${l.max}`,
    `  ${report.codex.source === 'connect' ? 'server' : 'codex'}: ${report.codex.path}${report.codex.userAgent === null ? '' : ` (${report.codex.userAgent})`}`,
  ];
  if (instances.failed.length > 0) lines.push(`  ${instances.failed.length} instance(s) failed to start (see stderr)`);
  for (const error of report.errors.slice(0, 5)) lines.push(`  error ${formatCode(error.code)} x${error.count}: ${truncate(error.message)}`);
  if (report.errors.length > 5) lines.push(`  ... ${report.errors.length - 5} more kinds of error (see the JSON report)`);
  return lines;
}

function where(report: BaseReport): string {
  const interrupted = report.interrupted ? ' [interrupted]' : '';
  return `on ${report.instances.started}/${report.instances.requested} instances in ${(report.wallMs / 1000).toFixed(2)} s (${report.throughputRps} req/s)${interrupted}`;
}

/** A few lines for a person: what ran, how it went, latency, errors, thresholds. */
export function formatRunSummary(report: RunReport): string {
  const what = report.measuredTo === 'turn/completed' ? 'turns' : 'requests';
  const lines = [`cas run ${report.method}: ${report.requests.total} ${what} ${where(report)}`];
  if (report.rate !== null) lines.push(`  rate: ${report.rate} req/s target (open model, latency from each request's due time)`);
  if (report.warmup.total > 0) lines.push(`  warm-up: ${report.warmup.total} requests in ${report.warmup.ms / 1000} s, not counted below`);
  lines.push(...commonLines(report));
  for (const check of report.thresholds) lines.push(`  threshold ${check.name} ${check.limit}: ${check.actual} ${check.crossed ? 'CROSSED' : 'ok'}`);
  return `${lines.join('\n')}\n`;
}

/** The end-of-batch summary (on stderr: stdout may carry the results). */
export function formatBatchSummary(report: BatchReport): string {
  const { lines: counts } = report;
  const lines = [
    `cas batch: ${counts.read} lines (${counts.requests} requests, ${counts.bad} bad), ${counts.written} results written ${where(report)}`,
    ...commonLines(report),
  ];
  if (report.stoppedEarly) lines.push('  stopped early (--fail-fast)');
  return `${lines.join('\n')}\n`;
}

/** The end-of-mine summary (on stderr: stdout may carry the threads): totals per home, then the usual. */
export function formatMineSummary(report: MineReport): string {
  const { threads } = report;
  const what = report.read ? `${threads.listed} new threads listed, ${threads.read} read` : `${threads.listed} new threads listed`;
  const lines = [`cas mine: ${report.homes.length} home(s), ${what}, ${threads.written} lines written ${where(report)}${report.resumed ? ' [resumed]' : ''}`];
  for (const home of report.homes) {
    const state = home.done ? 'done' : home.error === null ? 'not finished' : `stopped: ${truncate(home.error)}`;
    lines.push(`  ${home.home}: ${home.threads} threads in ${home.pages} pages, ${state}`);
  }
  lines.push(...commonLines(report));
  if (report.checkpoint !== null && report.homes.some((home) => !home.done)) lines.push(`  resume with: cas mine --resume ${report.checkpoint}`);
  return `${lines.join('\n')}\n`;
}
