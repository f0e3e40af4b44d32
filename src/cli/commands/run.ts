import type { Argv } from 'yargs';
import { formatRunSummary } from '../../report/human-summary.js';
import { runMethod } from '../../runner/run-method.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { DEFAULT_RUN_METHOD, resolveRequestOptions, withRequestOptions } from '../options/request-options.js';
import { totalSlotsProblem } from '../options/flag-schemas.js';
import { stringifyJson } from '../../json/stringify.js';
import { closeOutput } from '../write-report.js';
import { withSessionOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkEndpointCount } from '../options/connect-options.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { withPolicyOptions } from '../options/policy-options.js';
import { withMockModelOptions } from '../options/mock-model-options.js';
import { withBudgetOptions } from '../options/budget-options.js';
import { parseParamsJson } from '../options/params.js';
import { createProgressDisplay } from '../progress/progress-display.js';
import { runSampler } from '../progress/progress-sampler.js';
import { resolveShardFlags, withShardOptions } from '../options/shard-options.js';
import { parseStartAt } from '../options/start-at.js';
import { UsageError } from '../usage-error.js';
import type { CliIo } from '../cli-io.js';
import { checkReportTargets, writeReportOutputs } from '../report-outputs.js';
import { withServerStatsOption } from '../options/server-stats-options.js';
import { withCompareOptions } from '../options/compare-options.js';
import { runCompareBinCommand } from './run-compare.js';
import { describeCheck, loadOptions, openRecords, RunOptionsSchema } from './run-options.js';
import { DEFAULT_CLIENT_INFO } from '../../client/connection.js';
import { verboseReporter } from '../run-verbose.js';

const RUN = 'Run:';
const LOAD = 'Load testing:';
const TURNS = 'Turns (--method turn/start):';
const OUTPUT = 'Output:';
/** A start this much after --start-at is worth a word: the shards' timelines no longer line up. */
const LATE_START_MS = 100;
/** A start this much after --start-at is worth a word: the shards' timelines no longer line up. */

/** `cas run` flags on top of the instance options. */
export function runBuilder<T>(yargs: Argv<T>) {
  return withBudgetOptions(withShardOptions(withCompareOptions(withServerStatsOption(withPolicyOptions(withMockModelOptions(withSessionOptions(withRequestOptions(yargs, DEFAULT_RUN_METHOD))))))))
    .option('instances', { alias: 'n', type: 'number', default: 1, group: RUN, describe: 'App-server instances to start (with --connect: connections to open)' })
    .option('requests', { type: 'number', group: RUN, describe: 'Requests in all (default: one per instance)' })
    .option('duration', { type: 'number', group: RUN, describe: 'Keep sending for this many seconds' })
    .option('concurrency', { type: 'number', default: 1, group: RUN, describe: 'Requests in flight per instance' })
    .option('rate', { type: 'number', group: LOAD, describe: 'Open model: requests per second across all instances; latency counts from when each was due' })
    .option('warmup', { type: 'number', group: LOAD, describe: 'Run this many seconds first, left out of the statistics' })
    .option('start-at', { type: 'string', group: LOAD, describe: 'Begin sending at this ISO 8601 time (with a zone, e.g. 2030-01-02T03:04:05Z), so shards line up' })
    .option('max-p99-ms', { type: 'number', group: LOAD, describe: 'Exit 3 when p99 latency is above this' })
    .option('max-error-rate', { type: 'number', group: LOAD, describe: 'Exit 3 when failed/total is above this (0 to 1)' })
    .option('thread-params', { type: 'string', group: TURNS, describe: 'Params of the thread/start that makes each slot\'s thread (JSON object)' })
    .option('fresh-thread', { type: 'boolean', default: false, group: TURNS, describe: 'Start a new thread for every turn' })
    .option('turn-timeout-ms', { type: 'number', default: 300_000, group: TURNS, describe: 'From turn/start to turn/completed, at most' })
    .option('json', { type: 'boolean', default: false, group: OUTPUT, describe: 'Print the JSON report on stdout' })
    .option('out', { type: 'string', group: OUTPUT, describe: 'Write the JSON report to this file' })
    .option('html', { type: 'string', group: OUTPUT, describe: 'Write the report as one self-contained HTML page with charts' })
    .option('csv', { type: 'string', group: OUTPUT, describe: 'Write the timeline (per second: counts, p50/p90/p99, servers\' CPU and RSS) as CSV' })
    .option('records', { type: 'string', group: OUTPUT, describe: 'Stream one JSONL latency record per request to this file' })
    .option('samples', { alias: 'sample', type: 'number', default: 3, group: OUTPUT, describe: 'Outcomes embedded whole in the report' })
    .option('verbose', { type: 'boolean', default: false, group: OUTPUT, describe: 'Each instance\'s start and each request\'s outcome on stderr ([start:i] / [request:i])' })
    .option('client-prefix', { type: 'string', group: RUN, describe: 'Name each instance <prefix>-<n> in initialize clientInfo (n from 1), as the original runner did' })
    .option('server-request-timeout-ms', { type: 'number', group: RUN, describe: 'Accepted for the original runners\' command lines: cas run answers server requests at once, by policy, so nothing waits' })
    .alias('state-dir', 'state-file-dir')
    .option('progress', { type: 'boolean', default: true, group: OUTPUT, describe: 'Live progress on stderr when it is a terminal: phase, recent rate, p50/p99, errors, ETA (--no-progress: none)' });
}

/** `cas run`: fan a method out over N instances and report. Returns the exit code. */
export async function runRun(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(RunOptionsSchema, argv);
  const slotsProblem = totalSlotsProblem(options.instances, options.concurrency);
  if (slotsProblem !== undefined) throw new UsageError(slotsProblem);
  // Without an end, an open-model run would send one request per instance: not what a rate means.
  if (options.rate !== undefined && options.duration === undefined && options.requests === undefined) {
    throw new UsageError('--rate needs an end: add --duration SECONDS or --requests N');
  }
  const resolved = { ...(await resolveRequestOptions(options)), ...(await resolveWorkloadOptions(options, false)) };
  checkEndpointCount(resolved.target, options.instances);
  const threadParams = options.threadParams === undefined ? {} : parseParamsJson(options.threadParams, '--thread-params');
  await checkReportTargets(options, [{ flag: '--records', file: options.records }], [{ flag: '--params-file', file: options.paramsFile }]);
  if (options.compareBin !== undefined) return runCompareBinCommand(options, resolved, threadParams, io);
  if (options.maxRegression !== undefined || options.rounds !== undefined) throw new UsageError(`--${options.maxRegression !== undefined ? 'max-regression' : 'rounds'} needs --compare-bin`);
  const shard = resolveShardFlags(options);
  const startAt = options.startAt === undefined ? undefined : parseStartAt(options.startAt);
  const records = options.records === undefined ? undefined : await openRecords(options.records);
  const verbose = options.verbose ? verboseReporter(io.stderr) : undefined;
  const prefix = options.clientPrefix;

  // --verbose writes a line per request: a display redrawn over them would garble both.
  const progress = createProgressDisplay(options.progress && !options.verbose, runSampler(options.rate ?? null));
  // A signal's notice is written above the display, not glued onto it.
  const interrupts = handleInterrupts(progress.above(io.stderr));
  let report;
  try {
    report = await runMethod({
      ...resolved,
      ...loadOptions(options, threadParams, shard),
      startAt,
      shard,
      ...(prefix === undefined ? {} : { clientInfoFor: (index: number) => ({ ...DEFAULT_CLIENT_INFO, name: `${prefix}-${index + 1}`, title: null }) }),
      onStarted: verbose?.onStarted,
      onRecord:
        records === undefined && verbose === undefined
          ? undefined
          : (record) => {
              verbose?.onRecord(record);
              records?.write(record);
            },
      onProgress: (snapshot) => progress.update(snapshot),
      signal: interrupts.signal,
    });
  } finally {
    progress.stop();
    interrupts.dispose();
  }
  // A records file that failed (a full disk) is said, but the report is still written and printed.
  const recordsOk = records === undefined || (await closeOutput(() => records.close(), '--records', options.records!, io));

  // Secrets (tokens, API keys) never reach a report, a file or the terminal.
  report = resolved.redactor.value(report);
  const reportOk = await writeReportOutputs(report, options, io);
  io.stdout.write(options.json ? `${stringifyJson(report, 2)}\n` : formatRunSummary(report));
  for (const failure of report.instances.failed) io.stderr.write(`cas: instance ${failure.index} failed to start: ${failure.error}\n`);
  // The summary says it; with --json, stderr does.
  if (report.stoppedBecause && options.json) io.stderr.write(`cas: stopped early: ${report.stoppedBecause}\n`);
  const lateMs = startAt === undefined ? 0 : Date.parse(report.phaseStartedAt) - startAt;
  if (lateMs > LATE_START_MS) io.stderr.write(`cas: --start-at ${options.startAt} had passed when the instances were ready: began ${(lateMs / 1000).toFixed(1)} s late\n`);
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  const crossed = report.thresholds.filter((check) => check.crossed);
  for (const check of crossed) io.stderr.write(`cas: threshold crossed: ${describeCheck(check)}\n`);
  if (crossed.length > 0) return ExitCode.threshold;
  return report.requests.failed > 0 || report.instances.failed.length > 0 || !recordsOk || !reportOk ? ExitCode.failed : ExitCode.ok;
}

