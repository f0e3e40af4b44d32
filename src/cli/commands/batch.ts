import { createReadStream, createWriteStream, fstatSync } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { Argv } from 'yargs';
import * as z from 'zod';
import { runBatch } from '../../batch/run-batch.js';
import { endStream } from '../../files/end-stream.js';
import { formatBatchSummary } from '../../report/human-summary.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { closeOutput, writeReportFile } from '../write-report.js';
import { positiveInt, singleString, slots, totalSlotsProblem } from '../options/flag-schemas.js';
import { checkFiles, lockOutput } from '../options/output-files.js';
import { SessionFlagsSchema, withSessionOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkEndpointCount } from '../options/connect-options.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { policyFlagsSchema, withPolicyOptions } from '../options/policy-options.js';
import { BudgetFlagsSchema, withBudgetOptions } from '../options/budget-options.js';
import { MockModelFlagsSchema, withMockModelOptions } from '../options/mock-model-options.js';
import { createProgressDisplay } from '../progress/progress-display.js';
import { batchSampler } from '../progress/progress-sampler.js';
import { ServerStatsFlagsSchema, withServerStatsOption } from '../options/server-stats-options.js';
import { resolveShardFlags, ShardFlagsSchema, withShardOptions } from '../options/shard-options.js';
import { UsageError } from '../usage-error.js';

const BATCH = 'Batch:';

/** `cas batch` flags on top of the session flags. */
export function batchBuilder<T>(yargs: Argv<T>) {
  return withBudgetOptions(withShardOptions(withServerStatsOption(withPolicyOptions(withMockModelOptions(withSessionOptions(yargs))))))
    .option('input', { alias: 'i', type: 'string', demandOption: true, group: BATCH, describe: 'JSONL requests {"id"?, "method", "params"?}, one per line (- for stdin)' })
    .option('out', { alias: 'o', type: 'string', group: BATCH, describe: 'Write the JSONL results here (default stdout)' })
    .option('instances', { alias: 'n', type: 'number', default: 1, group: BATCH, describe: 'App-server instances to start (with --connect: connections to open)' })
    .option('concurrency', { type: 'number', default: 1, group: BATCH, describe: 'Requests in flight per instance' })
    .option('window', { type: 'number', default: 1024, group: BATCH, describe: 'Results pending at once, at most (raised to 2 x instances x concurrency)' })
    .option('fail-fast', { type: 'boolean', default: false, group: BATCH, describe: 'Stop at the first bad line or failed request' })
    .option('report', { type: 'string', group: BATCH, describe: 'Write the JSON summary report to this file' })
    .option('progress', { type: 'boolean', default: true, group: BATCH, describe: 'Live progress on stderr when it is a terminal: lines read/written/pending, recent rate, p50/p99, errors, ETA for a file (--no-progress: none)' });
}

const BatchOptionsSchema = SessionFlagsSchema.extend(MockModelFlagsSchema.shape).extend(policyFlagsSchema(false).shape).extend(ServerStatsFlagsSchema.shape).extend(ShardFlagsSchema.shape).extend(BudgetFlagsSchema.shape).extend({
  input: singleString,
  out: singleString.optional(),
  instances: slots,
  concurrency: slots,
  window: positiveInt,
  failFast: z.boolean(),
  report: singleString.optional(),
  progress: z.boolean(),
});

async function openInput(input: string): Promise<Readable> {
  return input === '-' ? process.stdin : createReadStream(input);
}

/** The input's size when it is a regular file (stdin too, redirected from one); a pipe's end is unknown. */
async function inputSize(input: string): Promise<number | undefined> {
  try {
    const stats = input === '-' ? fstatSync(0) : await stat(input);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

async function openOutput(out: string | undefined, io: CliIo): Promise<{ stream: Writable; close(): Promise<void> }> {
  if (out === undefined) return { stream: io.stdout as Writable, close: async () => undefined };
  const lock = await lockOutput({ flag: '--out', file: out });
  const stream = createWriteStream(out);
  await once(stream, 'open');
  return {
    stream,
    close: async () => {
      try {
        await endStream(stream);
      } finally {
        await lock?.release();
      }
    },
  };
}

/** `cas batch`: every input line a request, results in input order. Returns the exit code. */
export async function runBatchCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(BatchOptionsSchema, argv);
  const slotsProblem = totalSlotsProblem(options.instances, options.concurrency);
  if (slotsProblem !== undefined) throw new UsageError(slotsProblem);
  const session = await resolveWorkloadOptions(options, false);
  const shard = resolveShardFlags(options);
  const named = (flag: string, file: string | undefined) => (file === undefined ? undefined : { flag, file });
  await checkFiles([named('--out', options.out), named('--report', options.report)], [named('--input', options.input)]);
  checkEndpointCount(session.target, options.instances);
  const input = await openInput(options.input);
  const inputBytes = await inputSize(options.input);
  const output = await openOutput(options.out, io);
  const progress = createProgressDisplay(options.progress, batchSampler());
  // A signal's notice is written above the display, not glued onto it.
  const interrupts = handleInterrupts(progress.above(io.stderr));
  let report;
  let outputOk = true;
  try {
    report = await runBatch({
      ...session,
      serverStats: options.serverStats,
      instances: options.instances,
      // With --shard, only lines L with (L - 1) mod N == I run here; results keep their input line numbers.
      shard,
      input,
      inputBytes,
      output: output.stream,
      concurrency: options.concurrency,
      // Every slot needs room for its result, and some slack for out-of-order ones.
      window: Math.max(options.window, 2 * options.instances * options.concurrency),
      failFast: options.failFast,
      signal: interrupts.signal,
      onProgress: (snapshot) => progress.update(snapshot),
    });
  } finally {
    progress.stop();
    interrupts.dispose();
    // The batch's own report says when writing failed; closing says it for what was still buffered.
    outputOk = await closeOutput(output.close, '--out', options.out ?? '-', io);
  }
  report = session.redactor.value(report);
  // A reader that went away (`cas batch ... | head`) is not worth a message; anything else is.
  if (report.outputError !== null && outputOk && !report.outputError.includes('EPIPE')) io.stderr.write(`cas: --out ${options.out ?? '-'}: write failed: ${report.outputError}\n`);
  const reportOk = await writeReportFile(options.report, report, '--report', io);
  io.stderr.write(formatBatchSummary(report));
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  const allOk = report.requests.failed === 0 && report.instances.failed.length === 0 && !report.stoppedEarly && report.outputError === null && outputOk && reportOk;
  return allOk ? ExitCode.ok : ExitCode.failed;
}
