import { writeJsonAtomic } from '../instance/atomic-write.js';
import type { Comparison } from '../report/compare/compare-reports.js';
import { renderCompareHtml } from '../report/html/compare-page.js';
import { renderReportHtml } from '../report/html/report-page.js';
import type { LoadedReport } from '../report/load-report.js';
import { comparisonCsv, timelineCsv } from '../report/timeline-csv.js';
import { writeTextAtomic } from '../report/write-text.js';
import { casVersion } from './cas-version.js';
import { checkWritableTarget } from './options/output-target.js';

/** Files a command writes its report to, at the end. */
export interface ReportTargets {
  out?: string;
  html?: string;
  csv?: string;
}

/** Fails early, as usage errors, when a target could not be written at the end. */
export async function checkReportTargets(targets: ReportTargets): Promise<void> {
  if (targets.out !== undefined) await checkWritableTarget(targets.out, '--out');
  if (targets.html !== undefined) await checkWritableTarget(targets.html, '--html');
  if (targets.csv !== undefined) await checkWritableTarget(targets.csv, '--csv');
}

/** Writes one report as JSON, HTML and CSV, where asked. */
export async function writeReportOutputs(report: object, targets: ReportTargets): Promise<void> {
  if (targets.out !== undefined) await writeJsonAtomic(targets.out, report);
  if (targets.html !== undefined) await writeTextAtomic(targets.html, renderReportHtml(report as LoadedReport, { casVersion: casVersion() }));
  if (targets.csv !== undefined) await writeTextAtomic(targets.csv, timelineCsv((report as LoadedReport).timeline));
}

/** Writes a comparison (both reports and the comparison) as JSON, HTML and CSV, where asked. */
export async function writeComparisonOutputs(result: { a: object; b: object; comparison: Comparison }, targets: ReportTargets): Promise<void> {
  const a = result.a as LoadedReport;
  const b = result.b as LoadedReport;
  if (targets.out !== undefined) await writeJsonAtomic(targets.out, result);
  if (targets.html !== undefined) await writeTextAtomic(targets.html, renderCompareHtml(a, b, result.comparison, { casVersion: casVersion() }));
  if (targets.csv !== undefined) await writeTextAtomic(targets.csv, comparisonCsv(a.timeline, b.timeline));
}

