import * as z from 'zod';
import type { BatchReport } from '../batch/run-batch.js';
import type { MineReport } from '../mine/run-mine.js';
import { commonLines, formatBatchSummary, formatMineSummary, formatRunSummary, where } from './human-summary.js';
import { mergedShards, reportKind, type LoadedReport } from './load-report.js';
import type { RunReport } from './run-report.js';

/** The fields each command's own summary reads, beyond the shared ones. */
const RunFields = z.object({
  method: z.string(),
  measuredTo: z.string(),
  rate: z.number().nullable(),
  warmup: z.object({ total: z.number(), ms: z.number() }).loose(),
  thresholds: z.array(z.object({ name: z.string(), limit: z.number(), actual: z.number(), crossed: z.boolean() }).loose()),
});
const BatchFields = z.object({ lines: z.object({ read: z.number(), requests: z.number(), bad: z.number(), written: z.number() }).loose(), stoppedEarly: z.boolean() });
const MineFields = z.object({
  homes: z.array(z.object({ home: z.string(), threads: z.number(), pages: z.number(), done: z.boolean(), error: z.string().nullable() }).loose()),
  threads: z.object({ listed: z.number(), read: z.number(), written: z.number() }).loose(),
  read: z.boolean(),
  resumed: z.boolean(),
  checkpoint: z.string().nullable(),
});

/** A merge's shards, when the report is one (a shard's own place is in its command's summary). */
function mergeLines(report: LoadedReport): string[] {
  const shards = mergedShards(report);
  return shards === undefined ? [] : [`  merged from ${shards} shard${shards === 1 ? '' : 's'}`];
}

/** The one-line headline of a report whose command cas does not know: what ran, how much, how fast. */
function genericSummary(report: LoadedReport, kind: string): string {
  const what = typeof report.method === 'string' ? ` ${report.method}` : '';
  const lines = [`cas ${kind}${what}: ${report.requests.total} requests ${where(report)}`, ...commonLines(report)];
  return `${lines.join('\n')}\n`;
}

/**
 * The human summary of any cas report: `run`, `batch` and `mine` (or a merge of their shards)
 * as their commands print it, anything else (a report of a newer cas) by the shared fields.
 */
export function formatReportSummary(report: LoadedReport): string {
  const kind = reportKind(report);
  let text: string;
  if (kind === 'run' && RunFields.safeParse(report).success) text = formatRunSummary(report as unknown as RunReport);
  else if (kind === 'batch' && BatchFields.safeParse(report).success) text = formatBatchSummary(report as unknown as BatchReport);
  else if (kind === 'mine' && MineFields.safeParse(report).success) text = formatMineSummary(report as unknown as MineReport);
  else text = genericSummary(report, kind);
  const extra = mergeLines(report);
  return extra.length === 0 ? text : `${text}${extra.join('\n')}\n`;
}
