import { open, stat } from 'node:fs/promises';
import * as z from 'zod';
import type { BaseReport } from './base-report.js';

/** The largest report file read (a report of a long, wide run is a few tens of MB). */
export const MAX_REPORT_BYTES = 512 * 1024 * 1024;

/** A report file that cannot be read as a cas report: the message says why, in one line. */
export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';
}

const count = z.number().finite();
const ms = z.number().finite();

/** The fields every cas report shares (BaseReport); anything else is kept as it is. */
const BaseReportSchema = z
  .object({
    codex: z.object({ path: z.string(), source: z.string().optional(), userAgent: z.string().nullish() }).loose(),
    instances: z.object({ requested: count, started: count, restarts: count.optional(), failed: z.array(z.object({ index: count, error: z.string() }).loose()).optional() }).loose(),
    requests: z.object({ total: count, ok: count, failed: count, retries: count, overloaded: count, timedOut: count }).loose(),
    errors: z.array(z.object({ code: z.union([z.number(), z.string()]), message: z.string(), count }).loose()).default([]),
    latencyMs: z.object({ min: ms, mean: ms, p50: ms, p90: ms, p95: ms, p99: ms, p999: ms, max: ms }).loose(),
    histogram: z.string(),
    throughputRps: count,
    wallMs: ms,
    startupWallMs: ms.optional(),
    startedAt: z.string().optional(),
    interrupted: z.boolean().default(false),
    perInstance: z.array(z.object({ index: count }).loose()).default([]),
    timeline: z.array(z.object({ second: count }).loose()).default([]),
  })
  .loose();

/** What kind of report a file holds, by the fields its command adds. */
export type ReportKind = 'run' | 'batch' | 'mine' | 'report';

/** A report read from a file: the shared fields checked, the rest as written. */
export type LoadedReport = BaseReport & Record<string, unknown>;

/** A comparison written by `cas run --compare-bin`: both sides' reports and how they compare. */
export interface LoadedComparisonFile {
  comparison: Record<string, unknown>;
  a: LoadedReport;
  b: LoadedReport;
}

/** The kind of a report, judged by its own fields. */
export function reportKind(report: Record<string, unknown>): ReportKind {
  if (typeof report.method === 'string' && typeof report.measuredTo === 'string') return 'run';
  if (typeof report.lines === 'object' && report.lines !== null && 'read' in report.lines) return 'batch';
  if (Array.isArray(report.homes) && typeof report.threads === 'object') return 'mine';
  return 'report';
}

/** How many shards a merged report (`cas merge`) was made of; undefined for any other report. */
export function mergedShards(report: Record<string, unknown>): number | undefined {
  const merged = report.merged as { shards?: unknown } | null | undefined;
  return typeof merged?.shards === 'number' ? merged.shards : undefined;
}

/** Checks parsed JSON as a cas report; throws a {@link ReportFileError} naming the first missing field. */
export function parseReport(value: unknown, label: string): LoadedReport {
  const parsed = BaseReportSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length === 0 ? '' : ` (${issue.path.join('.')}: ${issue.message.toLowerCase()})`;
    throw new ReportFileError(`${label} is not a cas report${where}`);
  }
  return parsed.data as unknown as LoadedReport;
}

/** True when parsed JSON is a comparison (`cas run --compare-bin` output) rather than one report. */
export function isComparisonFile(value: unknown): value is { comparison: unknown; a: unknown; b: unknown } {
  return typeof value === 'object' && value !== null && 'comparison' in value && 'a' in value && 'b' in value;
}

function fileError(file: string, error: unknown): ReportFileError {
  return new ReportFileError(`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

/** Reads a JSON file, refusing anything but a regular file of reasonable size (a FIFO would block, a device never end). */
export async function readJsonFile(file: string): Promise<unknown> {
  const before = await stat(file).catch((error: unknown) => {
    throw fileError(file, error);
  });
  if (!before.isFile()) throw new ReportFileError(`${file}: not a regular file`);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw fileError(file, error);
  });
  try {
    // Checked again on what was opened: the path may have changed in between.
    const opened = await handle.stat();
    if (!opened.isFile()) throw new ReportFileError(`${file}: not a regular file`);
    if (opened.size > MAX_REPORT_BYTES) throw new ReportFileError(`${file}: ${opened.size} bytes is more than a report can be (${MAX_REPORT_BYTES})`);
    const text = await handle.readFile('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ReportFileError(`${file}: not JSON (${(error as Error).message})`);
    }
  } finally {
    await handle.close();
  }
}

/** What a report file holds: one report, or a comparison of two. */
export type LoadedFile = { kind: 'report'; report: LoadedReport } | { kind: 'comparison'; file: LoadedComparisonFile };

/** Reads a report file (any kind) or a comparison file. */
export async function loadReportFile(file: string): Promise<LoadedFile> {
  const value = await readJsonFile(file);
  if (isComparisonFile(value)) {
    if (typeof value.comparison !== 'object' || value.comparison === null) throw new ReportFileError(`${file}: its comparison is not an object`);
    return {
      kind: 'comparison',
      file: { comparison: value.comparison as Record<string, unknown>, a: parseReport(value.a, `${file} (a)`), b: parseReport(value.b, `${file} (b)`) },
    };
  }
  return { kind: 'report', report: parseReport(value, file) };
}
