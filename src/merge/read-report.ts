import { readFile } from 'node:fs/promises';
import type * as z from 'zod';
import { regularFileSize } from './input-file.js';
import { MergeError } from './merge-error.js';
import { BaseReportSchema, BatchFieldsSchema, MineFieldsSchema, RunFieldsSchema, type BaseReportFields, type BatchFields, type MineFields, type RunFields } from './report-schema.js';

/** A report larger than this is not one cas wrote (a year-long timeline is a few tens of MB). */
const MAX_REPORT_BYTES = 512 * 1024 * 1024;

/** A shard's report, read and checked, with what kind of workload wrote it. */
export type LoadedReport =
  | { file: string; kind: 'run'; report: BaseReportFields & RunFields }
  | { file: string; kind: 'batch'; report: BaseReportFields & BatchFields }
  | { file: string; kind: 'mine'; report: BaseReportFields & MineFields };

function check<T>(schema: z.ZodType<T>, value: unknown, file: string, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  throw new MergeError(`${file}: not a ${what}${where}: ${issue.message}`, 'input');
}

/** Reads one report file: a regular file holding the JSON report of `cas run`, `cas batch` or `cas mine`, written with shards in mind. */
export async function readReport(file: string): Promise<LoadedReport> {
  if ((await regularFileSize(file)) > MAX_REPORT_BYTES) throw new MergeError(`${file}: larger than ${MAX_REPORT_BYTES >> 20} MB, not a cas report`, 'input');
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MergeError(`${file}: not JSON (${(error as Error).message})`, 'input');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MergeError(`${file}: not a cas report (not a JSON object)`, 'input');
  const fields = value as Record<string, unknown>;
  const mine = 'homes' in fields && 'threads' in fields;
  if (mine && !('homeCount' in fields)) throw new MergeError(`${file}: a cas mine report without "homeCount" (written by an older cas): rerun with this one`, 'input');
  if (!('shard' in fields) && 'requests' in fields) throw new MergeError(`${file}: a report without "shard" (written by an older cas): rerun with this one`, 'input');
  const base = check(BaseReportSchema, value, file, 'cas report');
  if ('method' in fields) return { file, kind: 'run', report: { ...base, ...check(RunFieldsSchema, value, file, 'cas run report') } };
  if (mine) return { file, kind: 'mine', report: { ...base, ...check(MineFieldsSchema, value, file, 'cas mine report') } };
  if ('lines' in fields) return { file, kind: 'batch', report: { ...base, ...check(BatchFieldsSchema, value, file, 'cas batch report') } };
  throw new MergeError(`${file}: not a report of cas run, cas batch or cas mine`, 'input');
}
