import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { LatencyRecord } from '../../src/report/run-stats.js';

/** Every request in got exactly one result out: totals add up, and the records hold one line per request. */
export async function expectAccounted(report: { requests: { total: number; ok: number; failed: number }; warmup?: { total: number } }, recordsFile?: string): Promise<void> {
  expect(report.requests.total).toBe(report.requests.ok + report.requests.failed);
  if (recordsFile === undefined) return;
  const lines = (await readFile(recordsFile, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  const records = lines.map((line) => JSON.parse(line) as LatencyRecord);
  expect(records).toHaveLength(report.requests.total + (report.warmup?.total ?? 0));
  expect(new Set(records.map((record) => record.seq)).size).toBe(records.length);
}
