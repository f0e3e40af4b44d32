import type { Argv } from 'yargs';
import * as z from 'zod';
import { compareReports } from '../../report/compare/compare-reports.js';
import { compareSummary } from '../../report/compare/compare-summary.js';
import { renderCompareHtml } from '../../report/html/compare-page.js';
import { renderReportHtml } from '../../report/html/report-page.js';
import { loadReportFile, ReportFileError, type LoadedFile } from '../../report/load-report.js';
import { formatReportSummary } from '../../report/report-summary.js';
import { comparisonCsv, timelineCsv } from '../../report/timeline-csv.js';
import { writeTextAtomic } from '../../report/write-text.js';
import { casVersion } from '../cas-version.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { singleString } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { validate } from '../options/validate.js';
import { UsageError } from '../usage-error.js';

const OUTPUT = 'Output:';

/** A side's label as a comparison file gives it. */
function labelOf(side: unknown, fallback: string): string {
  const label = (side as { label?: unknown } | undefined)?.label;
  return typeof label === 'string' ? label : fallback;
}

/** `cas report FILE` flags. */
export function reportBuilder<T>(yargs: Argv<T>) {
  return yargs
    .positional('file', { type: 'string', describe: 'A report of cas run, batch, mine or merge (or a cas run --compare-bin comparison)' })
    .option('html', { type: 'string', group: OUTPUT, describe: 'Write the report as one self-contained HTML page with charts' })
    .option('csv', { type: 'string', group: OUTPUT, describe: 'Write its timeline (per second) as CSV' });
}

const ReportOptionsSchema = z.object({
  file: singleString,
  html: singleString.optional(),
  csv: singleString.optional(),
});

/** Reads a report file; a file that is not one is a usage error (exit 2), in one line. */
export async function loadOrUsage(file: string): Promise<LoadedFile> {
  try {
    return await loadReportFile(file);
  } catch (error) {
    if (error instanceof ReportFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** `cas report`: the summary on stdout; the page and the CSV where asked. */
export async function runReportCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(ReportOptionsSchema, argv);
  if (options.html !== undefined) await checkWritableTarget(options.html, '--html');
  if (options.csv !== undefined) await checkWritableTarget(options.csv, '--csv');
  const loaded = await loadOrUsage(options.file);
  const footer = { casVersion: casVersion(), source: options.file };
  if (loaded.kind === 'report') {
    io.stdout.write(formatReportSummary(loaded.report));
    if (options.html !== undefined) await writeTextAtomic(options.html, renderReportHtml(loaded.report, footer));
    if (options.csv !== undefined) await writeTextAtomic(options.csv, timelineCsv(loaded.report.timeline));
  } else {
    // The comparison is worked out again from both reports: a file's own table is not trusted.
    const stored = loaded.file.comparison;
    const labels: [string, string] = [labelOf(stored.a, 'A'), labelOf(stored.b, 'B')];
    const maxRegressionPct = typeof stored.maxRegressionPct === 'number' ? stored.maxRegressionPct : undefined;
    const comparison = compareReports(loaded.file.a, loaded.file.b, { labels, maxRegressionPct });
    io.stdout.write(compareSummary(comparison));
    if (options.html !== undefined) await writeTextAtomic(options.html, renderCompareHtml(loaded.file.a, loaded.file.b, comparison, footer));
    if (options.csv !== undefined) await writeTextAtomic(options.csv, comparisonCsv(loaded.file.a.timeline, loaded.file.b.timeline));
  }
  return ExitCode.ok;
}
