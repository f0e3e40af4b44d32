import type { Argv } from 'yargs';
import * as z from 'zod';
import { compareReports } from '../../report/compare/compare-reports.js';
import { compareSummary } from '../../report/compare/compare-summary.js';
import { renderCompareHtml } from '../../report/html/compare-page.js';
import type { LoadedReport } from '../../report/load-report.js';
import { writeTextAtomic } from '../../report/write-text.js';
import { casVersion } from '../cas-version.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { singleString } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { validate } from '../options/validate.js';
import { maxRegressionSchema } from '../options/compare-options.js';
import { UsageError } from '../usage-error.js';
import { loadOrUsage } from './report.js';

const OUTPUT = 'Output:';
const GATE = 'CI gate:';

/** `cas compare A B` flags. */
export function compareBuilder<T>(yargs: Argv<T>) {
  return yargs
    .positional('a', { type: 'string', describe: 'The baseline report (JSON)' })
    .positional('b', { type: 'string', describe: 'The report to compare with it' })
    .option('json', { type: 'boolean', default: false, group: OUTPUT, describe: 'Print the comparison as JSON' })
    .option('html', { type: 'string', group: OUTPUT, describe: 'Write the comparison as one self-contained HTML page' })
    .option('max-regression', { type: 'number', group: GATE, describe: 'Exit 3 when B is slower than A (p50, p90, p99 or throughput) by more than this %, beyond noise' });
}

const CompareOptionsSchema = z.object({
  a: singleString,
  b: singleString,
  json: z.boolean(),
  html: singleString.optional(),
  maxRegression: maxRegressionSchema.optional(),
});

/** Reads one side: a report, not a comparison. */
async function reportAt(file: string): Promise<LoadedReport> {
  const loaded = await loadOrUsage(file);
  if (loaded.kind !== 'report') throw new UsageError(`${file} is a comparison, not a report: cas report ${file} shows it`);
  return loaded.report;
}

/** `cas compare A B`: the table (or JSON) on stdout; exit 3 when --max-regression is crossed. */
export async function runCompareCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(CompareOptionsSchema, argv);
  if (options.html !== undefined) await checkWritableTarget(options.html, '--html');
  const a = await reportAt(options.a);
  const b = await reportAt(options.b);
  const comparison = compareReports(a, b, { labels: [options.a, options.b], maxRegressionPct: options.maxRegression });
  io.stdout.write(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : compareSummary(comparison));
  if (options.html !== undefined) await writeTextAtomic(options.html, renderCompareHtml(a, b, comparison, { casVersion: casVersion() }));
  if (comparison.regressions.length > 0) {
    io.stderr.write(`cas: regression beyond --max-regression ${options.maxRegression}%: ${comparison.regressions.join(', ')}\n`);
    return ExitCode.threshold;
  }
  return ExitCode.ok;
}
