import type { Argv } from 'yargs';
import { z } from 'zod';
import { writeJsonAtomic } from '../../instance/atomic-write.js';
import { formatRunSummary } from '../../report/human-summary.js';
import { JsonlFileWriter } from '../../report/records-writer.js';
import { runMethod } from '../../runner/run-method.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { nonNegativeInt, positiveMilliseconds, positiveNumber, positiveSeconds, singleString, slots, totalSlotsProblem, workCount } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { DEFAULT_RUN_METHOD, RequestFlagsSchema, resolveRequestOptions, withRequestOptions } from '../options/request-options.js';
import { SessionFlagsSchema, withSessionOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkEndpointCount } from '../options/connect-options.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { policyFlagsSchema, withPolicyOptions } from '../options/policy-options.js';
import { MockModelFlagsSchema, withMockModelOptions } from '../options/mock-model-options.js';
import { parseParamsJson } from '../options/params.js';
import type { ThresholdCheck } from '../../report/thresholds.js';
import { createProgressDisplay } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';
import type { CliIo } from '../cli-io.js';

const RUN = 'Run:';
const LOAD = 'Load testing:';
const TURNS = 'Turns (--method turn/start):';
const OUTPUT = 'Output:';

/** `cas run` flags on top of the instance options. */
export function runBuilder<T>(yargs: Argv<T>) {
  return withPolicyOptions(withMockModelOptions(withSessionOptions(withRequestOptions(yargs, DEFAULT_RUN_METHOD))))
    .option('instances', { alias: 'n', type: 'number', default: 1, group: RUN, describe: 'App-server instances to start (with --connect: connections to open)' })
    .option('requests', { type: 'number', group: RUN, describe: 'Requests in all (default: one per instance)' })
    .option('duration', { type: 'number', group: RUN, describe: 'Keep sending for this many seconds' })
    .option('concurrency', { type: 'number', default: 1, group: RUN, describe: 'Requests in flight per instance' })
    .option('rate', { type: 'number', group: LOAD, describe: 'Open model: requests per second across all instances; latency counts from when each was due' })
    .option('warmup', { type: 'number', group: LOAD, describe: 'Run this many seconds first, left out of the statistics' })
    .option('max-p99-ms', { type: 'number', group: LOAD, describe: 'Exit 3 when p99 latency is above this' })
    .option('max-error-rate', { type: 'number', group: LOAD, describe: 'Exit 3 when failed/total is above this (0 to 1)' })
    .option('thread-params', { type: 'string', group: TURNS, describe: 'Params of the thread/start that makes each slot\'s thread (JSON object)' })
    .option('fresh-thread', { type: 'boolean', default: false, group: TURNS, describe: 'Start a new thread for every turn' })
    .option('turn-timeout-ms', { type: 'number', default: 300_000, group: TURNS, describe: 'From turn/start to turn/completed, at most' })
    .option('json', { type: 'boolean', default: false, group: OUTPUT, describe: 'Print the JSON report on stdout' })
    .option('out', { type: 'string', group: OUTPUT, describe: 'Write the JSON report to this file' })
    .option('records', { type: 'string', group: OUTPUT, describe: 'Stream one JSONL latency record per request to this file' })
    .option('samples', { type: 'number', default: 3, group: OUTPUT, describe: 'Outcomes embedded whole in the report' })
    .option('progress', { type: 'boolean', default: true, group: OUTPUT, describe: 'Progress bar on stderr when it is a terminal (--no-progress)' });
}

const RunOptionsSchema = SessionFlagsSchema.extend(RequestFlagsSchema.shape).extend(MockModelFlagsSchema.shape).extend(policyFlagsSchema(false).shape).extend({
  instances: slots,
  requests: workCount.optional(),
  duration: positiveSeconds.optional(),
  concurrency: slots,
  rate: positiveNumber.optional(),
  warmup: positiveSeconds.optional(),
  maxP99Ms: positiveNumber.optional(),
  maxErrorRate: z.number({ error: 'must be a number' }).min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).optional(),
  threadParams: singleString.optional(),
  freshThread: z.boolean(),
  turnTimeoutMs: positiveMilliseconds,
  json: z.boolean(),
  out: singleString.optional(),
  records: singleString.optional(),
  samples: nonNegativeInt,
  progress: z.boolean(),
});

/** `cas run`: fan a method out over N instances and report. Returns the exit code. */
export async function runRun(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(RunOptionsSchema, argv);
  const slotsProblem = totalSlotsProblem(options.instances, options.concurrency);
  if (slotsProblem !== undefined) throw new UsageError(slotsProblem);
  const resolved = { ...(await resolveRequestOptions(options)), ...(await resolveWorkloadOptions(options, false)) };
  checkEndpointCount(resolved.target, options.instances);
  const threadParams = options.threadParams === undefined ? {} : parseParamsJson(options.threadParams, '--thread-params');
  if (options.out !== undefined) await checkWritableTarget(options.out, '--out');
  const records = options.records === undefined ? undefined : await openRecords(options.records);

  const interrupts = handleInterrupts(io.stderr);
  const progress = createProgressDisplay(options.progress);
  let report;
  try {
    report = await runMethod({
      ...resolved,
      instances: options.instances,
      requests: options.requests,
      durationMs: options.duration === undefined ? undefined : options.duration * 1000,
      warmupMs: options.warmup === undefined ? undefined : options.warmup * 1000,
      rate: options.rate,
      concurrency: options.concurrency,
      thresholds: { maxP99Ms: options.maxP99Ms, maxErrorRate: options.maxErrorRate },
      turns: {
        threadParams,
        freshThread: options.freshThread,
        turnTimeoutMs: options.turnTimeoutMs,
      },
      samples: options.samples,
      onRecord: records === undefined ? undefined : (record) => records.write(record),
      onProgress: (snapshot) => progress.update(snapshot),
      signal: interrupts.signal,
    });
  } finally {
    progress.stop();
    interrupts.dispose();
    await records?.close();
  }

  // Secrets (tokens, API keys) never reach a report, a file or the terminal.
  report = resolved.redactor.value(report);
  if (options.out !== undefined) await writeJsonAtomic(options.out, report);
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunSummary(report));
  for (const failure of report.instances.failed) io.stderr.write(`cas: instance ${failure.index} failed to start: ${failure.error}\n`);
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  const crossed = report.thresholds.filter((check) => check.crossed);
  for (const check of crossed) io.stderr.write(`cas: threshold crossed: ${describeCheck(check)}\n`);
  if (crossed.length > 0) return ExitCode.threshold;
  return report.requests.failed > 0 || report.instances.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
}

function describeCheck(check: ThresholdCheck): string {
  return check.name === 'max-p99-ms'
    ? `p99 ${check.actual} ms > --max-p99-ms ${check.limit}`
    : `error rate ${check.actual} > --max-error-rate ${check.limit}`;
}

async function openRecords(file: string): Promise<JsonlFileWriter> {
  try {
    return await JsonlFileWriter.open(file);
  } catch (error) {
    throw new UsageError(`--records ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
