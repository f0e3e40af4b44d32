import type { LoadedReport } from '../load-report.js';
import { versionFromUserAgent } from '../../codex/codex-version.js';
import { escapeHtml } from './escape.js';
import { table } from './page.js';

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown): string => (value === null || value === undefined ? '-' : typeof value === 'number' ? String(value) : escapeHtml(value));
const pct = (part: number, whole: number) => (whole > 0 ? `${Number(((part / whole) * 100).toPrecision(3))}%` : '-');
/** JSON for a person, cut short: a report's params may be long. */
const brief = (value: unknown, max = 300) => {
  const text = JSON.stringify(value) ?? 'undefined';
  return escapeHtml(text.length > max ? `${text.slice(0, max - 3)}...` : text);
};

/** Which codex ran, and how each instance was reached. */
export function codexSection(report: LoadedReport): string {
  const codex = report.codex as Loose & { path: string };
  const items = [
    ['binary', escapeHtml(codex.path)],
    ['version', show(codex.version ?? versionFromUserAgent(typeof codex.userAgent === 'string' ? codex.userAgent : null))],
    ['chosen by', show(codex.source)],
    ['server user agent', show(codex.userAgent)],
  ];
  const transports = [...new Set(report.perInstance.map((row) => (row as unknown as Loose).transport).filter((value) => typeof value === 'string'))];
  if (transports.length > 0) items.push(['transport', transports.map(escapeHtml).join(', ')]);
  return `<h2>Which codex ran</h2><dl>${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** What ran: method, params, model, timings. */
export function runSection(report: LoadedReport): string {
  const r = report as Loose;
  const items: Array<[string, string]> = [];
  if (typeof r.method === 'string') items.push(['method', escapeHtml(r.method)]);
  if (r.params !== undefined) items.push(['params', `<code>${brief(r.params)}</code>`]);
  if (r.rate !== undefined) items.push(['load', r.rate === null ? 'closed model (requests in flight per instance)' : `open model, ${show(r.rate)} req/s target, latency from each request's due time`]);
  if (typeof r.measuredTo === 'string') items.push(['measured to', escapeHtml(r.measuredTo)]);
  if (isObject(r.warmup) && typeof r.warmup.ms === 'number' && r.warmup.ms > 0) items.push(['warm-up', `${r.warmup.ms / 1000} s, ${show(r.warmup.total)} requests (not counted)`]);
  if (report.startedAt !== undefined) items.push(['started', escapeHtml(report.startedAt)]);
  items.push(['measured for', `${(report.wallMs / 1000).toFixed(2)} s`]);
  if (typeof report.startupWallMs === 'number') items.push(['start-up', `${(report.startupWallMs / 1000).toFixed(2)} s for ${report.instances.requested} instance(s)`]);
  if (isObject(r.shard)) items.push(['shard', `${show(r.shard.index)} of ${show(r.shard.count)} (0-based)`]);
  if (Array.isArray(r.shards)) items.push(['merged from', `${r.shards.length} shard(s)`]);
  if (isObject(r.lines)) items.push(['lines', `${show(r.lines.read)} read, ${show(r.lines.requests)} requests, ${show(r.lines.bad)} bad, ${show(r.lines.written)} written`]);
  if (isObject(r.threads)) items.push(['threads', `${show(r.threads.listed)} listed, ${show(r.threads.read)} read, ${show(r.threads.written)} written`]);
  if (isObject(r.mockModel)) items.push(['mock model', `${escapeHtml(r.mockModel.url)}: ${show(r.mockModel.requests)} requests, ${show(r.mockModel.toolFollowUps)} tool follow-ups, ${show(r.mockModel.rejected)} refused`]);
  return `<h2>What ran</h2><dl>${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** Outcomes, retries, overloads, thresholds and errors. */
export function requestsSection(report: LoadedReport): string {
  const q = report.requests;
  const parts = [
    '<h2>Requests, retries and overloads</h2>',
    table(
      ['requests', 'ok', 'failed', 'error rate', 'retries', 'overloaded (-32001)', 'overloads per request', 'timed out'],
      [[String(q.total), String(q.ok), String(q.failed), pct(q.failed, q.total), String(q.retries), String(q.overloaded), q.total > 0 ? (q.overloaded / q.total).toFixed(3) : '-', String(q.timedOut)]],
      [],
    ),
  ];
  const thresholds = Array.isArray((report as Loose).thresholds) ? ((report as Loose).thresholds as Loose[]) : [];
  if (thresholds.length > 0) {
    parts.push('<h2>Thresholds</h2>');
    parts.push(
      table(
        ['threshold', 'limit', 'actual', 'verdict'],
        thresholds.map((check) => [show(check.name), show(check.limit), show(check.actual), check.crossed ? '<span class="bad">crossed</span>' : '<span class="good">held</span>']),
      ),
    );
  }
  if (report.errors.length > 0) {
    parts.push('<h2>Errors</h2>');
    parts.push(table(['code', 'count', 'message'], report.errors.slice(0, 50).map((error) => [show(error.code), String(error.count), escapeHtml(error.message)]), [0, 2]));
  }
  const serverRequests = Array.isArray(report.serverRequests) ? (report.serverRequests as unknown as Loose[]) : [];
  if (serverRequests.length > 0) {
    parts.push('<h2>Server requests answered</h2>');
    parts.push(table(['method', 'decision', 'count'], serverRequests.map((row) => [show(row.method), `${show(row.decision)}${row.fellBackFrom === undefined ? '' : ` (for ${show(row.fellBackFrom)})`}`, show(row.count)]), [0, 1]));
  }
  return parts.join('');
}

/** Which shard a row of a merged report came from (`shard: {index}` or a number), as a prefix. */
function shardOf(shard: unknown): string {
  if (typeof shard === 'number') return `shard ${shard}: `;
  return isObject(shard) ? `shard ${show(shard.index)}: ` : '';
}

/** One row per instance: status, work, faults, and what its app-server used. */
export function instancesSection(report: LoadedReport): string {
  const rows = (report.perInstance as unknown as Loose[]).map((row) => [
    show(row.index),
    show(row.status),
    show(row.pid),
    show(row.requests),
    show(row.ok),
    show(row.failed),
    show(row.retries),
    show(row.overloaded),
    show(row.timedOut),
    show(row.restarts),
    show(row.startupMs),
    show(row.cpuSeconds),
    show(row.peakRssMb),
    `${shardOf(row.shard)}${show(row.codexHome)}${row.error ? `<br><span class="bad">${escapeHtml(row.error)}</span>` : ''}`,
  ]);
  const sampling = (report as Loose).serverSampling;
  const note = isObject(sampling)
    ? `<p class="note">Servers sampled every ${show(sampling.intervalMs)} ms from ${Array.isArray(sampling.sources) && sampling.sources.length > 0 ? sampling.sources.map(escapeHtml).join(' and ') : 'nothing (no process to read, no diagnostics)'}: ${show(sampling.samples)} samples, costing cas ${show(sampling.costMs)} ms of CPU in all.</p>`
    : '';
  const homes = Array.isArray((report as Loose).homes) ? ((report as Loose).homes as Loose[]) : [];
  const homeTable =
    homes.length === 0
      ? ''
      : `<h2>Homes mined</h2>${table(['home', 'threads', 'pages', 'state'], homes.map((home) => [escapeHtml(home.home), show(home.threads), show(home.pages), home.done ? 'done' : `<span class="bad">${home.error === null || home.error === undefined ? 'not finished' : escapeHtml(home.error)}</span>`]))}`;
  return `<h2>Instances</h2>${table(['#', 'status', 'pid', 'requests', 'ok', 'failed', 'retries', 'overloaded', 'timed out', 'restarts', 'start-up ms', 'CPU s', 'peak RSS MB', 'home'], rows, [1, 13])}${note}${homeTable}`;
}
