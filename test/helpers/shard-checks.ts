import { readFile } from 'node:fs/promises';
import * as hdr from 'hdr-histogram-js';
import { expect } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { MergedBatchReport, MergedRunReport } from '../../src/merge/merge-reports.js';
import type { RunReport } from '../../src/report/run-report.js';

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** A batch output's results without what differs from run to run (latency, instance, attempts). */
export async function batchResults(file: string): Promise<unknown[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const { id, line: number, ok, result, error } = JSON.parse(line) as { id: unknown; line: number; ok: boolean; result?: unknown; error?: { code: unknown; message: string } };
      return { id, line: number, ok, result, error: error === undefined ? undefined : { code: error.code, message: error.message } };
    });
}

/** The shards' histograms added with hdr-histogram-js itself: what the merged one must be. */
export function addedHistograms(encoded: readonly string[]): hdr.Histogram {
  const sum = hdr.build({ bitBucketSize: 64, autoResize: true });
  for (const text of encoded) sum.add(hdr.decodeFromCompressedBase64(text));
  return sum;
}

/** The checks every merge of `cas run` shards must pass, against its shards and a single run of the same work. */
export function expectRunMerge(merged: MergedRunReport, shards: readonly RunReport[], single: RunReport): void {
  const sum = (pick: (report: RunReport) => number) => shards.reduce((total, report) => total + pick(report), 0);
  // The same work as one run: every request once, at the same total rate.
  expect(merged.requests.total).toBe(single.requests.total);
  expect(sum((report) => report.requests.total)).toBe(single.requests.total);
  for (const key of ['total', 'ok', 'failed', 'retries', 'overloaded', 'timedOut'] as const) expect(merged.requests[key], key).toBe(sum((report) => report.requests[key]));
  expect(merged.rate).toBe(single.rate);
  expect(merged.method).toBe(single.method);
  expect(merged.merged.shards).toBe(shards.length);
  expect(merged.perInstance.map((row) => row.shard)).toEqual(shards.flatMap((report) => report.perInstance.map(() => report.shard.index)).sort((a, b) => a - b));
  // Latency from the added histograms, every percentile within [min, max].
  const added = addedHistograms(shards.map((report) => report.histogram));
  const decoded = hdr.decodeFromCompressedBase64(merged.histogram);
  expect(decoded.totalCount).toBe(added.totalCount);
  expect(decoded.totalCount).toBe(sum((report) => hdr.decodeFromCompressedBase64(report.histogram).totalCount));
  const { latencyMs } = merged;
  expect(latencyMs.min).toBe(Math.min(...shards.map((report) => report.latencyMs.min)));
  expect(latencyMs.max).toBe(Math.max(...shards.map((report) => report.latencyMs.max)));
  for (const [key, percentile] of [['p50', 50], ['p90', 90], ['p99', 99], ['p999', 99.9]] as const) {
    const expected = Math.min(latencyMs.max, Math.max(latencyMs.min, Math.round(added.getValueAtPercentile(percentile)) / 1000));
    expect(latencyMs[key], key).toBe(expected);
  }
  // Every request sent shows in the merged timeline once.
  const sent = merged.timeline.reduce((total, row) => total + row.sent, 0);
  expect(sent).toBe(sum((report) => report.timeline.reduce((total, row) => total + row.sent, 0)));
  expect(sent).toBe(single.timeline.reduce((total, row) => total + row.sent, 0));
}

/** The checks every merge of `cas batch` shards' reports must pass, against a single batch of the same input. */
export function expectBatchReportMerge(merged: MergedBatchReport, single: BatchReport): void {
  expect(merged.lines).toEqual(single.lines);
  for (const key of ['total', 'ok', 'failed'] as const) expect(merged.requests[key], key).toBe(single.requests[key]);
  const sorted = (errors: BatchReport['errors']) => errors.map(({ code, message, count }) => ({ code, message, count })).sort((a, b) => `${a.code}${a.message}`.localeCompare(`${b.code}${b.message}`));
  expect(sorted(merged.errors)).toEqual(sorted(single.errors));
}
