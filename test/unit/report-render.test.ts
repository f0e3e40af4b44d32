import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineChart } from '../../src/report/html/line-chart.js';
import { renderReportHtml } from '../../src/report/html/report-page.js';
import { linearScale, logScale, niceStep } from '../../src/report/html/scales.js';
import { jsonForScript } from '../../src/report/html/escape.js';
import { loadReportFile, mergedShards, parseReport, reportKind, type LoadedReport } from '../../src/report/load-report.js';
import { percentileCurve } from '../../src/report/percentile-curve.js';
import { formatReportSummary } from '../../src/report/report-summary.js';
import { timelineCsv } from '../../src/report/timeline-csv.js';
import { syntheticReport } from '../helpers/synthetic-report.js';

const run = () => syntheticReport({ seconds: 3, perSecond: 50, medianMs: 10, sigma: 0.3, seed: 7 }) as unknown as LoadedReport;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-render-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reading report files', () => {
  it('tells the kinds apart by their own fields', () => {
    expect(reportKind(run())).toBe('run');
    expect(reportKind({ ...run(), method: undefined, lines: { read: 1 } })).toBe('batch');
    expect(reportKind({ homes: [], threads: {} })).toBe('mine');
    // A merge of run shards is a run report; it says what it was merged from.
    expect(reportKind({ ...run(), merged: { shards: 2, jobId: null, reports: [] } })).toBe('run');
    expect(mergedShards({ ...run(), merged: { shards: 2, jobId: null, reports: [] } })).toBe(2);
    expect(mergedShards(run())).toBeUndefined();
    expect(reportKind({ requests: {} })).toBe('report');
  });

  it('refuses what is not a report, in one line naming why', async () => {
    const notJson = path.join(dir, 'not.json');
    await writeFile(notJson, '{"oops"');
    await expect(loadReportFile(notJson)).rejects.toThrow(/^.*not\.json: not JSON/);
    await expect(loadReportFile(dir)).rejects.toThrow(/: not a regular file$/);
    await expect(loadReportFile(path.join(dir, 'missing.json'))).rejects.toThrow(/: ENOENT$/);
    const { latencyMs: _dropped, ...noLatency } = run();
    expect(() => parseReport(noLatency, 'x.json')).toThrow(/^x\.json is not a cas report \(latencyMs: /);
  });

  it('reads a comparison file as both its reports', async () => {
    const file = path.join(dir, 'cmp.json');
    await writeFile(file, JSON.stringify({ a: run(), b: run(), comparison: { metrics: [] } }));
    const loaded = await loadReportFile(file);
    expect(loaded.kind).toBe('comparison');
  });
});

describe('summaries of any report', () => {
  it('prints a run as cas run does, with the servers it sampled', () => {
    const report = run();
    report.perInstance = [{ index: 0, cpuSeconds: 1.5, peakRssMb: 90 } as never, { index: 1, cpuSeconds: 2.25, peakRssMb: 95.5 } as never];
    const text = formatReportSummary(report);
    expect(text).toMatch(/^cas run thread\/list: 150 requests on 1\/1 instances in 3\.00 s/);
    expect(text).toContain('  servers: CPU 3.75 s in all, 2.25 s at most (instance 1); peak RSS 95.5 MB (instance 1)\n');
  });

  it('prints a merge of shards as its workload, and a report of an unknown kind by the shared fields', () => {
    const merged = { ...run(), merged: { shards: 3, jobId: '77', reports: [] } } as unknown as LoadedReport;
    expect(formatReportSummary(merged)).toMatch(/^cas run thread\/list: 150 requests on 1\/1 instances[^\n]*\n(.*\n)*  merged from 3 shards\n$/);
    const shard = { ...run(), shard: { index: 2, count: 4, jobId: '77' } } as unknown as LoadedReport;
    expect(formatReportSummary(shard)).toContain('  shard 2/4 (job 77)');
    const unknown = { ...run(), method: undefined, measuredTo: undefined } as unknown as LoadedReport;
    expect(formatReportSummary(unknown)).toMatch(/^cas report: 150 requests on 1\/1 instances/);
  });

  it('never shows a percentile above the max or below the min, whatever the file says', () => {
    const report = run();
    report.latencyMs = { ...report.latencyMs, min: 2, p50: 1, p99: 102.271, max: 102.262 };
    expect(formatReportSummary(report)).toMatch(/latency ms: min 2 {2}p50 2 {2}p90 [\d.]+ {2}p99 102\.262 {2}max 102\.262/);
  });
});

describe('the timeline as CSV', () => {
  it('has one line per second, and each server\'s CPU and RSS when sampled', () => {
    const csv = timelineCsv([
      { second: 0, sent: 5, completed: 4, errors: 1, overloaded: 0, p50: 1.5, p90: 2, p99: 3, servers: [{ cpuPct: 12.5, rssMb: 90 }, null] },
      { second: 1, sent: 0, completed: 0, errors: 0, overloaded: 0, p50: null, p90: null, p99: null, servers: [{ cpuPct: 1, rssMb: 91, diagnostics: { rssMb: 88, gauges: {} } }, { cpuPct: 0, rssMb: 80 }] },
    ]);
    expect(csv.split('\n')).toEqual([
      'second,sent,completed,errors,overloaded,p50_ms,p90_ms,p99_ms,cpu_pct_0,rss_mb_0,server_rss_mb_0,cpu_pct_1,rss_mb_1,server_rss_mb_1',
      '0,5,4,1,0,1.5,2,3,12.5,90,,,,',
      '1,0,0,0,0,,,,1,91,88,0,80,',
      '',
    ]);
  });
});

describe('charts', () => {
  it('picks round ticks on linear and log axes', () => {
    expect(niceStep(97, 5)).toBe(20);
    expect(linearScale(0, 97, 0, 100).ticks()).toEqual([0, 20, 40, 60, 80, 100]);
    expect(logScale(0.8, 45, 100, 0).ticks()).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]);
    // Past three decades, only the powers of ten.
    expect(logScale(0.8, 150, 100, 0).ticks()).toEqual([0.1, 1, 10, 100, 1000]);
  });

  it('breaks a line where a value is missing and marks a point alone', () => {
    const svg = lineChart({ id: 'c', title: 't', yLabel: 'ms', xLabel: 'second', x: [0, 1, 2, 3, 4], series: [{ name: 's', color: '#000', values: [1, 2, null, 3, null] }] });
    const d = /<path class="line"[^>]* d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(1);
    expect(d.match(/L/g)).toHaveLength(1);
    expect(svg.match(/<circle class="dot"/g)).toHaveLength(1);
  });

  it('goes to a log axis when values span a wide range, and says so', () => {
    const svg = lineChart({ id: 'c', title: 't', yLabel: 'ms', xLabel: 'second', x: [0, 1], series: [{ name: 's', color: '#000', values: [1, 500] }] });
    expect(svg).toContain('ms (log scale)');
  });

  it('keeps what a report says from closing the script that carries its data', () => {
    expect(jsonForScript({ text: '</script><script>alert(1)</script>' })).not.toContain('</script>');
  });

  it('draws the percentile distribution from the histogram, within min and max', () => {
    const report = run();
    const points = percentileCurve(report.histogram, report.latencyMs)!;
    expect(points[0]!.percentile).toBe(0);
    expect(points.at(-1)).toMatchObject({ percentile: 100, ms: report.latencyMs.max });
    // Every point lies within the report's own min and max (a bound between values, not on time).
    for (const point of points) {
      expect(point.ms).toBeGreaterThanOrEqual(report.latencyMs.min);
      expect(point.ms).toBeLessThanOrEqual(report.latencyMs.max);
    }
    // Monotone, and its median the report's p50 (both from the same histogram).
    expect(points.every((point, i) => i === 0 || point.ms >= points[i - 1]!.ms)).toBe(true);
    expect(percentileCurve('not a histogram')).toBeUndefined();
  });

  it('renders a report with no server samples and strange text, escaped', () => {
    const report = run();
    report.errors = [{ code: -32603, message: '<img src=x onerror=alert(1)>', count: 1 }];
    const html = renderReportHtml(report, { casVersion: '0.0.0' });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('id="chart-latency"');
    expect(html).not.toContain('id="chart-cpu"');
  });
});
