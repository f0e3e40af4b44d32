import type { BatchReport } from '../batch/run-batch.js';
import type { RunReport } from '../report/run-report.js';
import { checkThresholds, type Thresholds } from '../report/thresholds.js';
import { BaseMerge, type MergedBaseReport } from './base-merge.js';
import { MergeError } from './merge-error.js';
import { readReport, type LoadedReport } from './read-report.js';
import { MineMerge, type MergedMineFields } from './mine-merge.js';
import { checkMineOutputs, type MineOutputCheck } from './mine-output-check.js';
import { RunMerge, type MergedRunFields } from './run-merge.js';
import { shardSetProblems } from './shard-set.js';

/** The merge of `cas run` shards: a run report of the whole job. */
export type MergedRunReport = MergedBaseReport & MergedRunFields & Pick<RunReport, 'thresholds'>;

/** The merge of `cas batch` shards' reports. */
export type MergedBatchReport = MergedBaseReport & Pick<BatchReport, 'lines' | 'stoppedEarly' | 'outputError'>;

/** The merge of `cas mine` shards' reports: every home of the job, each thread counted once. */
export type MergedMineReport = MergedBaseReport &
  MergedMineFields & {
    /** With `checkOutputs`: what reading the shards' outputs found; null when they were not read. */
    outputCheck: MineOutputCheck | null;
  };

/** A merged report, and which workload's. */
export type MergedReport = { kind: 'run'; report: MergedRunReport } | { kind: 'batch'; report: MergedBatchReport } | { kind: 'mine'; report: MergedMineReport };

/** Options of {@link mergeReports}. */
export interface MergeReportsOptions {
  /** Limits to check on the merged figures; those not given are the ones the shards were run with. */
  thresholds?: Thresholds;
  /** Mine reports: also read each shard's output and check it holds its own threads, each once (see {@link checkMineOutputs}). */
  checkOutputs?: boolean;
}

/**
 * Merges the reports of every shard of one job into one report, exactly: counters summed,
 * histograms added (every percentile from the merged histogram), timelines merged by
 * wall-clock second, thresholds checked again on the merged figures; for mine reports, every
 * home of the job from the shards that mined it (done only when each of them finished). Reports are read one
 * at a time, so a hundred of them take little memory. Throws a {@link MergeError}: `input`
 * for a file that is not a report, `shards` when they are not one job with every shard once.
 */
export async function mergeReports(files: readonly string[], options: MergeReportsOptions = {}): Promise<MergedReport> {
  if (files.length === 0) throw new MergeError('no reports to merge', 'input');
  const base = new BaseMerge();
  const run = new RunMerge();
  const mine = new MineMerge();
  const lines = { read: 0, requests: 0, bad: 0, written: 0 };
  let stoppedEarly = false;
  const outputErrors: string[] = [];
  let kind: LoadedReport['kind'] | undefined;
  for (const file of files) {
    const loaded = await readReport(file);
    if (kind !== undefined && loaded.kind !== kind) throw new MergeError(`${file} is a cas ${loaded.kind} report, ${files[0]} a cas ${kind} report`, 'input');
    kind = loaded.kind;
    if (loaded.kind === 'run') {
      base.add(file, loaded.report, loaded.report.warmup.ms);
      run.add(file, loaded.report, loaded.report.shard.index);
    } else if (loaded.kind === 'mine') {
      base.add(file, loaded.report);
      mine.add(file, loaded.report, loaded.report.shard);
    } else {
      base.add(file, loaded.report);
      for (const key of ['read', 'requests', 'bad', 'written'] as const) lines[key] += loaded.report.lines[key];
      stoppedEarly ||= loaded.report.stoppedEarly;
      if (loaded.report.outputError) outputErrors.push(`shard ${loaded.report.shard.index}: ${loaded.report.outputError}`);
    }
  }
  const problems = shardSetProblems(base.entries);
  if (problems.length === 0 && kind === 'mine') problems.push(...mine.problems(base.entries[0]!.shard.count));
  if (problems.length > 0) throw new MergeError(problems.join('; '), 'shards');
  const merged = base.result();
  if (options.checkOutputs === true && kind !== 'mine') throw new MergeError(`--check-outputs reads mine outputs: these are cas ${kind} reports`, 'input');
  if (kind === 'mine') {
    const fields = mine.result();
    const outputCheck = options.checkOutputs === true ? await checkMineOutputs(fields, base.entries[0]!.shard.count) : null;
    return { kind, report: { ...merged, ...fields, outputCheck } };
  }
  if (kind === 'batch') return { kind, report: { ...merged, lines, stoppedEarly, outputError: outputErrors.length === 0 ? null : outputErrors.join('; ') } };
  const limits = { ...run.limits, ...definedOnly(options.thresholds ?? {}) };
  const { requests } = base;
  const thresholds = checkThresholds({ p99Ms: merged.latencyMs.p99, total: requests.total, failed: requests.failed }, limits);
  const { method, params, ...fields } = run.result();
  return { kind: 'run', report: { method, params, ...merged, ...fields, thresholds } };
}

function definedOnly(thresholds: Thresholds): Thresholds {
  return Object.fromEntries(Object.entries(thresholds).filter(([, value]) => value !== undefined)) as Thresholds;
}
