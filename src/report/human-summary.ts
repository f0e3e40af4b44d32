import type { BatchReport } from '../batch/run-batch.js';
import type { MineReport } from '../mine/run-mine.js';
import type { BaseReport } from './base-report.js';
import type { RunReport } from './run-report.js';
import { mineHomeLines } from './mine-home-lines.js';
import { plural } from './plural.js';
import { truncate } from './truncate.js';
import { describeCodex } from '../codex/describe-codex.js';
import { describeShard } from '../shard/shard-spec.js';

function formatCode(code: number | string): string {
  return typeof code === 'number' ? String(code) : `[${code}]`;
}

/** A percentile as shown: never above the max or below the min (a report written before cas clamped them may say otherwise). */
function shown(value: number, latency: BaseReport['latencyMs']): number {
  return Math.min(latency.max, Math.max(latency.min, value));
}

/** What the app-servers themselves used, when they were sampled. */
export function serverLine(report: Pick<BaseReport, 'perInstance'>): string | undefined {
  const rows = (report.perInstance ?? []).filter((row) => typeof row.cpuSeconds === 'number' || typeof row.peakRssMb === 'number');
  if (rows.length === 0) return undefined;
  const most = <K extends 'cpuSeconds' | 'peakRssMb'>(key: K) =>
    rows.filter((row) => typeof row[key] === 'number').reduce<(typeof rows)[number] | undefined>((best, row) => (best === undefined || row[key]! > best[key]! ? row : best), undefined);
  const parts: string[] = [];
  const cpu = most('cpuSeconds');
  if (cpu !== undefined) {
    const total = rows.reduce((sum, row) => sum + (row.cpuSeconds ?? 0), 0);
    parts.push(`CPU ${Math.round(total * 100) / 100} s in all, ${cpu.cpuSeconds} s at most (instance ${cpu.index})`);
  }
  const rss = most('peakRssMb');
  if (rss !== undefined) parts.push(`peak RSS ${rss.peakRssMb} MB (instance ${rss.index})`);
  return `  servers: ${parts.join('; ')}`;
}

/** The lines every summary shares: outcomes, latency, codex, the servers' cost, failures. */
export function commonLines(report: BaseReport): string[] {
  const { requests, latencyMs: l, instances } = report;
  const lines = [
    `  ok ${requests.ok}, failed ${requests.failed}, retries ${requests.retries} (overloaded ${requests.overloaded}, timed out ${requests.timedOut})`,
    `  latency ms: min ${l.min}  p50 ${shown(l.p50, l)}  p90 ${shown(l.p90, l)}  p99 ${shown(l.p99, l)}  max ${l.max}`,
    `  ${describeCodex(report.codex)}`,
  ];
  const servers = serverLine(report);
  if (servers !== undefined) lines.push(servers);
  if (report.budget != null) {
    const tiers = report.budget.timeline.map((change) => change.tier).join(' -> ') || report.budget.tier;
    lines.push(`  budget: ${tiers}; work waited ${(report.budget.waitedMs / 1000).toFixed(2)} s for it`);
  }
  if ((instances.failed ?? []).length > 0) lines.push(`  ${instances.failed.length} instance(s) failed to start (see stderr)`);
  for (const error of report.errors.slice(0, 5)) lines.push(`  error ${formatCode(error.code)} x${error.count}: ${truncate(error.message)}`);
  if (report.errors.length > 5) lines.push(`  ... ${report.errors.length - 5} more kinds of error (see the JSON report)`);
  return lines;
}

/** `  shard 2/4 (job 1234)` for a share of a split job; nothing for a whole one. */
function shardLines(report: BaseReport): string[] {
  const { shard } = report;
  if (shard.count === 1) return [];
  return [`  shard ${describeShard(shard)}: this process's share of the job (merge the shards with cas merge)`];
}

export function where(report: BaseReport): string {
  const interrupted = report.interrupted ? ' [interrupted]' : '';
  return `on ${report.instances.started}/${report.instances.requested} instances in ${(report.wallMs / 1000).toFixed(2)} s (${report.throughputRps} req/s)${interrupted}`;
}

/** A few lines for a person: what ran, how it went, latency, errors, thresholds. */
export function formatRunSummary(report: RunReport): string {
  const what = report.measuredTo === 'turn/completed' ? 'turns' : 'requests';
  const lines = [`cas run ${report.method}: ${report.requests.total} ${what} ${where(report)}`, ...shardLines(report)];
  if (report.rate !== null) lines.push(`  rate: ${report.rate} req/s target (open model, latency from each request's due time)`);
  if (report.warmup.total > 0) lines.push(`  warm-up: ${report.warmup.total} requests in ${report.warmup.ms / 1000} s, not counted below`);
  lines.push(...commonLines(report));
  for (const check of report.thresholds) lines.push(`  threshold ${check.name} ${check.limit}: ${check.actual} ${check.crossed ? 'CROSSED' : 'ok'}`);
  if (report.stoppedBecause) lines.push(`  stopped early: ${truncate(report.stoppedBecause, 400)}`);
  return `${lines.join('\n')}\n`;
}

/** The end-of-batch summary (on stderr: stdout may carry the results). */
export function formatBatchSummary(report: BatchReport): string {
  const { lines: counts } = report;
  const lines = [
    `cas batch: ${plural(counts.read, 'line')} (${plural(counts.requests, 'request')}, ${counts.bad} bad), ${plural(counts.written, 'result')} written ${where(report)}`,
    ...shardLines(report),
    ...commonLines(report),
  ];
  if (report.stoppedEarly) lines.push('  stopped early (--fail-fast)');
  return `${lines.join('\n')}\n`;
}

/** The end-of-mine summary (on stderr: stdout may carry the threads): totals per home, then the usual. */
export function formatMineSummary(report: MineReport): string {
  const { threads } = report;
  const failed = threads.failed > 0 ? `, ${threads.failed} failed` : '';
  const what = report.read ? `${plural(threads.listed, 'new thread')} listed, ${threads.read} read${failed}` : `${plural(threads.listed, 'new thread')} listed`;
  const since = report.since === null ? '' : ` since ${report.since}`;
  const lines = [`cas mine: ${plural(report.homes.length, 'home')}${since}, ${what}, ${plural(threads.written, 'line')} written ${where(report)}${report.resumed ? ' [resumed]' : ''}`];
  lines.push(...shardLines(report));
  // A shard whose share held no thread did all it had to: it says so, as its output is empty.
  if (report.shard.count > 1 && report.homes.every((home) => home.done && home.threads === 0 && home.failed === 0)) {
    lines.push(`  this shard's share of ${report.homes.length === 1 ? 'the home' : 'its homes'} holds no threads: nothing to write`);
  }
  lines.push(...mineHomeLines(report.homes));
  lines.push(...commonLines(report));
  const unfinished = report.homes.some((home) => !home.done || home.failed > 0 || home.retry.length > 0);
  if (report.checkpoint !== null && unfinished) lines.push(`  resume with: cas mine --resume ${report.checkpoint}`);
  return `${lines.join('\n')}\n`;
}
