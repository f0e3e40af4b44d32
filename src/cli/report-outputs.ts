import { writeJsonAtomic } from '../instance/atomic-write.js';
import type { Comparison } from '../report/compare/compare-reports.js';
import { renderCompareHtml } from '../report/html/compare-page.js';
import { renderReportHtml } from '../report/html/report-page.js';
import type { LoadedReport } from '../report/load-report.js';
import { comparisonCsv, timelineCsv } from '../report/timeline-csv.js';
import { writeTextAtomic } from '../report/write-text.js';
import { casVersion } from './cas-version.js';
import type { CliIo } from './cli-io.js';
import { checkFiles } from './options/output-files.js';
import { writeReportFile } from './write-report.js';

/** Files a command writes its report to, at the end. */
export interface ReportTargets {
  out?: string;
  html?: string;
  csv?: string;
}

/** Fails early, as usage errors, when a target could not be written at the end, or names a file another flag names. */
export async function checkReportTargets(targets: ReportTargets, otherOutputs: NamedFile[] = [], inputs: NamedFile[] = []): Promise<void> {
  const named = (flag: string, file: string | undefined) => (file === undefined ? undefined : { flag, file });
  const outputs = [named('--out', targets.out), named('--html', targets.html), named('--csv', targets.csv), ...otherOutputs.map((output) => named(output.flag, output.file))];
  await checkFiles(outputs, inputs.map((input) => named(input.flag, input.file)));
}

/**
 * Writes one report as JSON, HTML and CSV, where asked. A file that cannot be written (a full
 * disk) is said in one line, and the others are still written; false when any failed.
 */
export async function writeReportOutputs(report: object, targets: ReportTargets, io: CliIo): Promise<boolean> {
  let ok = await writeReportFile(targets.out, report, '--out', io);
  ok = (await writeText(targets.html, '--html', () => renderReportHtml(report as LoadedReport, { casVersion: casVersion() }), io)) && ok;
  ok = (await writeText(targets.csv, '--csv', () => timelineCsv((report as LoadedReport).timeline), io)) && ok;
  return ok;
}

/** A flag naming a file, or not given. */
export interface NamedFile {
  flag: string;
  file: string | undefined;
}

async function writeText(file: string | undefined, flag: string, render: () => string, io: CliIo): Promise<boolean> {
  if (file === undefined) return true;
  try {
    await writeTextAtomic(file, render());
    return true;
  } catch (error) {
    io.stderr.write(`cas: ${flag} ${file}: could not be written: ${(error as Error).message}\n`);
    return false;
  }
}

/** Writes a comparison (both reports and the comparison) as JSON, HTML and CSV, where asked. */
export async function writeComparisonOutputs(result: { a: object; b: object; comparison: Comparison }, targets: ReportTargets): Promise<void> {
  const a = result.a as LoadedReport;
  const b = result.b as LoadedReport;
  if (targets.out !== undefined) await writeJsonAtomic(targets.out, result);
  if (targets.html !== undefined) await writeTextAtomic(targets.html, renderCompareHtml(a, b, result.comparison, { casVersion: casVersion() }));
  if (targets.csv !== undefined) await writeTextAtomic(targets.csv, comparisonCsv(a.timeline, b.timeline));
}

