import type { Argv } from 'yargs';
import * as z from 'zod';
import { writeJsonAtomic } from '../../instance/atomic-write.js';
import { mergeBatchOutputs } from '../../merge/batch-output-merge.js';
import { MergeError } from '../../merge/merge-error.js';
import { mergeReports, type MergedReport } from '../../merge/merge-reports.js';
import { mergeMineOutputs } from '../../merge/mine-output-merge.js';
import { formatBatchSummary, formatMineSummary, formatRunSummary } from '../../report/human-summary.js';
import { mineIsWhole } from '../../mine/mine-report.js';
import type { MineOutputCheck } from '../../merge/mine-output-check.js';
import type { ThresholdCheck } from '../../report/thresholds.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { positiveNumber, singleString } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { validate } from '../options/validate.js';
import { UsageError } from '../usage-error.js';

const MERGE = 'Merge:';
const THRESHOLDS = 'Thresholds (report merges; default: the limits the shards were run with):';

/** `cas merge` flags: the files, what they are, where the merge goes. */
export function mergeBuilder<T>(yargs: Argv<T>) {
  return yargs
    .positional('files', { type: 'string', array: true, describe: 'The shards\' reports (or, with --batch / --mine, their outputs)' })
    .option('batch', { type: 'boolean', default: false, group: MERGE, describe: 'The files are cas batch outputs: write one file in input order' })
    .option('mine', { type: 'boolean', default: false, group: MERGE, describe: 'The files are cas mine outputs: write one file with each thread once' })
    .option('out', { alias: 'o', type: 'string', group: MERGE, describe: 'Write the merge here (required with --batch / --mine)' })
    .option('json', { type: 'boolean', default: false, group: MERGE, describe: 'Print the merged JSON report on stdout (otherwise a short summary)' })
    .option('check-outputs', { type: 'boolean', default: false, group: MERGE, describe: "Mine reports: also read each shard's output (its report's out) and check it holds the shard's own threads, each once" })
    .option('max-p99-ms', { type: 'number', group: THRESHOLDS, describe: 'Exit 3 when the merged p99 latency is above this' })
    .option('max-error-rate', { type: 'number', group: THRESHOLDS, describe: 'Exit 3 when the merged failed/total is above this (0 to 1)' });
}

const MergeOptionsSchema = z.object({
  files: z.array(z.union([z.string(), z.number()]).transform(String), { error: 'name at least one file' }).min(1, { error: 'name at least one file' }),
  batch: z.boolean(),
  mine: z.boolean(),
  out: singleString.optional(),
  json: z.boolean(),
  checkOutputs: z.boolean(),
  maxP99Ms: positiveNumber.optional(),
  maxErrorRate: z.number({ error: 'must be a number' }).min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).optional(),
});
type MergeOptions = z.infer<typeof MergeOptionsSchema>;

function checkCombination(options: MergeOptions): void {
  if (options.batch && options.mine) throw new UsageError('--batch and --mine cannot be used together: merge one kind of output at a time');
  if (!options.batch && !options.mine) return;
  const flag = options.batch ? '--batch' : '--mine';
  if (options.out === undefined) throw new UsageError(`${flag} needs --out FILE`);
  if (options.json) throw new UsageError(`--json is for report merges, not ${flag}`);
  if (options.checkOutputs) throw new UsageError(`--check-outputs is for mine report merges, not ${flag}`);
  if (options.maxP99Ms !== undefined || options.maxErrorRate !== undefined) throw new UsageError(`thresholds are checked on report merges, not ${flag}: merge the shards' reports`);
}

/** `cas merge`: one report (or output) from the shards of a job. Returns the exit code. */
export async function runMergeCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(MergeOptionsSchema, argv);
  checkCombination(options);
  if (options.out !== undefined) await checkWritableTarget(options.out, '--out');
  try {
    if (options.batch) return await mergeBatch(options.files, options.out!, io);
    if (options.mine) return await mergeMine(options.files, options.out!, io);
    return await mergeReportFiles(options, io);
  } catch (error) {
    if (!(error instanceof MergeError)) throw error;
    io.stderr.write(`cas merge: ${error.message}\n`);
    return error.kind === 'input' ? ExitCode.usage : ExitCode.failed;
  }
}

async function mergeBatch(files: string[], out: string, io: CliIo): Promise<number> {
  const summary = await mergeBatchOutputs(files, out);
  io.stderr.write(`cas merge --batch: ${summary.files} outputs, ${summary.lines} results in input order (${summary.failed} not ok) written to ${out}\n`);
  return ExitCode.ok;
}

async function mergeMine(files: string[], out: string, io: CliIo): Promise<number> {
  const summary = await mergeMineOutputs(files, out);
  io.stderr.write(
    `cas merge --mine: ${summary.files} outputs, ${summary.linesIn} lines, ${summary.threads} threads written to ${out} ` +
      `(${summary.repeated} repeated lines left out, ${summary.errorsReplaced} error lines replaced by the whole thread)\n`,
  );
  return ExitCode.ok;
}

async function mergeReportFiles(options: MergeOptions, io: CliIo): Promise<number> {
  const merged = await mergeReports(options.files, { thresholds: { maxP99Ms: options.maxP99Ms, maxErrorRate: options.maxErrorRate }, checkOutputs: options.checkOutputs });
  const { report } = merged;
  if (merged.kind !== 'run' && (options.maxP99Ms !== undefined || options.maxErrorRate !== undefined)) {
    throw new UsageError(`--max-p99-ms and --max-error-rate are checked on cas run reports, not cas ${merged.kind} reports`);
  }
  if (options.out !== undefined) await writeJsonAtomic(options.out, report);
  const job = report.merged.jobId === null ? '' : ` of job ${report.merged.jobId}`;
  if (options.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout.write(`cas merge: ${report.merged.shards} shard${report.merged.shards === 1 ? '' : 's'}${job}\n${summaryOf(merged)}`);
  return exitCode(merged, io);
}

function summaryOf(merged: MergedReport): string {
  if (merged.kind === 'run') return formatRunSummary(merged.report);
  if (merged.kind === 'batch') return formatBatchSummary(merged.report);
  return `${formatMineSummary(merged.report)}${outputCheckLines(merged.report.outputCheck)}`;
}

/** What --check-outputs found, for a person. */
function outputCheckLines(check: MineOutputCheck | null): string {
  if (check === null) return '';
  const what = `${check.outputs} outputs, ${check.lines} lines, ${check.threads} threads`;
  if (check.problems.length === 0) return `  outputs: ${what}, each thread once, in its own shard's output: cat them for the job's\n`;
  return `  outputs DIFFER from the reports (${what}):\n${check.problems.map((problem) => `    ${problem}\n`).join('')}`;
}

/** As the job would have exited, had it been one process: thresholds 3, failures 1. */
function exitCode(merged: MergedReport, io: CliIo): number {
  const { report } = merged;
  for (const failure of report.instances.failed) io.stderr.write(`cas merge: shard ${failure.shard} instance ${failure.index} failed to start: ${failure.error}\n`);
  if (report.interrupted) io.stderr.write('cas merge: some shard was interrupted: the merge is of what ran\n');
  if (merged.kind === 'run') {
    const crossed = merged.report.thresholds.filter((check) => check.crossed);
    for (const check of crossed) io.stderr.write(`cas merge: threshold crossed: ${describeCheck(check)}\n`);
    if (crossed.length > 0) return ExitCode.threshold;
  }
  const batchTrouble = merged.kind === 'batch' && (merged.report.lines.bad > 0 || merged.report.stoppedEarly);
  // A mine is whole when every home of the job was mined to the end by every shard that owns part of it.
  const mineTrouble = merged.kind === 'mine' && (!mineIsWhole(merged.report) || (merged.report.outputCheck?.problems.length ?? 0) > 0);
  const failed = report.requests.failed > 0 || report.instances.failed.length > 0 || report.interrupted || batchTrouble || mineTrouble;
  return failed ? ExitCode.failed : ExitCode.ok;
}

function describeCheck(check: ThresholdCheck): string {
  return check.name === 'max-p99-ms'
    ? `merged p99 ${check.actual} ms > --max-p99-ms ${check.limit}`
    : `merged error rate ${check.actual} > --max-error-rate ${check.limit}`;
}
