import { mergedShards, reportKind, type LoadedReport } from '../load-report.js';
import { formatReportSummary } from '../report-summary.js';
import { escapeHtml } from './escape.js';
import { card, htmlPage } from './page.js';
import { cpuChart, distributionChart, gaugesChart, hasServerSamples, latencyChart, reportCurve, rssChart, throughputChart, timelineOf, warmupBand } from './report-charts.js';
import { codexSection, instancesSection, requestsSection, runSection } from './report-tables.js';
import { COLORS } from './page.js';

/** Who wrote the page and when. */
export interface PageFooter {
  casVersion: string;
  /** The report file it was made from, if any. */
  source?: string;
  writtenAt?: Date;
}

/** The headline: what kind of run, and whether it went well. */
function headline(report: LoadedReport): { title: string; header: string } {
  const kind = reportKind(report);
  const method = typeof report.method === 'string' ? ` ${report.method}` : '';
  const shards = mergedShards(report);
  const title = `cas ${kind}${method}${shards === undefined ? '' : ` (merged from ${shards} shards)`}`;
  const badges: string[] = [];
  if (report.interrupted) badges.push('<span class="badge bad">interrupted</span>');
  const thresholds = Array.isArray(report.thresholds) ? (report.thresholds as Array<{ crossed?: boolean }>) : [];
  if (thresholds.some((check) => check.crossed)) badges.push('<span class="badge bad">threshold crossed</span>');
  else if (thresholds.length > 0) badges.push('<span class="badge good">thresholds held</span>');
  if (report.requests.failed > 0) badges.push(`<span class="badge bad">${report.requests.failed} failed</span>`);
  const when = report.startedAt === undefined ? '' : `started ${escapeHtml(report.startedAt)}, `;
  const sub = `${when}${report.instances.started}/${report.instances.requested} instances, ${(report.wallMs / 1000).toFixed(2)} s measured`;
  return { title, header: `<h1>${escapeHtml(title)}${badges.join('')}</h1><p class="sub">${sub}</p>` };
}

/** The key figures, as cards. */
function cards(report: LoadedReport): string {
  const l = report.latencyMs;
  const cpu = report.perInstance.map((row) => row.cpuSeconds).filter((v): v is number => typeof v === 'number');
  const rss = report.perInstance.map((row) => row.peakRssMb).filter((v): v is number => typeof v === 'number');
  const shown = [
    card(String(report.requests.total), 'requests'),
    card(String(report.requests.failed), 'failed'),
    card(`${report.throughputRps}/s`, 'throughput'),
    card(`${l.p50} ms`, 'p50'),
    card(`${l.p99} ms`, 'p99'),
    card(`${l.max} ms`, 'max'),
    card(String(report.requests.overloaded), 'overloaded (-32001)'),
  ];
  if (cpu.length > 0) shown.push(card(`${Math.round(cpu.reduce((a, b) => a + b, 0) * 100) / 100} s`, 'server CPU in all'));
  if (rss.length > 0) shown.push(card(`${Math.max(...rss)} MB`, 'peak server RSS'));
  return `<div class="cards">${shown.join('')}</div>`;
}

/** The charts: latency and the servers' CPU side by side, throughput and memory, the distribution. */
export function reportCharts(report: LoadedReport, idPrefix = 'chart'): string {
  const rows = timelineOf(report);
  const bands = warmupBand(report);
  const charts = [latencyChart(`${idPrefix}-latency`, rows, bands)];
  const sampled = hasServerSamples(rows);
  if (sampled) charts.push(cpuChart(`${idPrefix}-cpu`, rows, bands));
  charts.push(throughputChart(`${idPrefix}-throughput`, rows, bands));
  if (sampled) charts.push(rssChart(`${idPrefix}-rss`, rows, bands));
  charts.push(distributionChart(`${idPrefix}-distribution`, [{ name: 'latency', color: COLORS.p50, points: reportCurve(report) }]));
  const gauges = sampled ? gaugesChart(`${idPrefix}-gauges`, rows, bands) : undefined;
  if (gauges !== undefined) charts.push(gauges);
  return `<div class="charts">${charts.join('')}</div>`;
}

/** The footer line. */
export function footerHtml(footer: PageFooter): string {
  const from = footer.source === undefined ? '' : ` from ${escapeHtml(footer.source)}`;
  return `Written by cas ${escapeHtml(footer.casVersion)}${from} on ${escapeHtml((footer.writtenAt ?? new Date()).toISOString())}. One self-contained file: it loads nothing from anywhere.`;
}

/** One report as a page: headline, key figures, charts, the summary as the terminal shows it, then the tables. */
export function renderReportHtml(report: LoadedReport, footer: PageFooter): string {
  const { title, header } = headline(report);
  const body = [
    cards(report),
    reportCharts(report),
    `<h2>Summary</h2><pre>${escapeHtml(formatReportSummary(report))}</pre>`,
    runSection(report),
    codexSection(report),
    requestsSection(report),
    instancesSection(report),
  ].join('\n');
  return htmlPage(title, header, body, footerHtml(footer));
}
