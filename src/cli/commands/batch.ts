import { createReadStream, createWriteStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { z } from 'zod';
import { runBatch } from '../../batch/run-batch.js';
import { writeJsonAtomic } from '../../instance/atomic-write.js';
import { formatBatchSummary } from '../../report/human-summary.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { positiveInt, singleString, slots, totalSlotsProblem } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { SessionFlagsSchema, withSessionOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkEndpointCount } from '../options/connect-options.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { policyFlagsSchema, withPolicyOptions } from '../options/policy-options.js';
import { MockModelFlagsSchema, withMockModelOptions } from '../options/mock-model-options.js';
import { createProgressDisplay } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';

const BATCH = 'Batch:';

/** `cas batch` flags on top of the session flags. */
export function batchBuilder<T>(yargs: Argv<T>) {
  return withPolicyOptions(withMockModelOptions(withSessionOptions(yargs)))
    .option('input', { alias: 'i', type: 'string', demandOption: true, group: BATCH, describe: 'JSONL requests {"id"?, "method", "params"?}, one per line (- for stdin)' })
    .option('out', { alias: 'o', type: 'string', group: BATCH, describe: 'Write the JSONL results here (default stdout)' })
    .option('instances', { alias: 'n', type: 'number', default: 1, group: BATCH, describe: 'App-server instances to start (with --connect: connections to open)' })
    .option('concurrency', { type: 'number', default: 1, group: BATCH, describe: 'Requests in flight per instance' })
    .option('window', { type: 'number', default: 1024, group: BATCH, describe: 'Results pending at once, at most (raised to 2 x instances x concurrency)' })
    .option('fail-fast', { type: 'boolean', default: false, group: BATCH, describe: 'Stop at the first bad line or failed request' })
    .option('report', { type: 'string', group: BATCH, describe: 'Write the JSON summary report to this file' })
    .option('progress', { type: 'boolean', default: true, group: BATCH, describe: 'Progress bar on stderr when it is a terminal (--no-progress)' });
}

const BatchOptionsSchema = SessionFlagsSchema.extend(MockModelFlagsSchema.shape).extend(policyFlagsSchema(false).shape).extend({
  input: singleString,
  out: singleString.optional(),
  instances: slots,
  concurrency: slots,
  window: positiveInt,
  failFast: z.boolean(),
  report: singleString.optional(),
  progress: z.boolean(),
});

async function openInput(input: string) {
  if (input === '-') return process.stdin;
  try {
    await access(input, constants.R_OK);
  } catch {
    throw new UsageError(`--input ${input}: no such file or not readable`);
  }
  return createReadStream(input);
}

async function openOutput(out: string | undefined, io: CliIo): Promise<{ stream: Writable; close(): Promise<void> }> {
  if (out === undefined) return { stream: io.stdout as Writable, close: async () => undefined };
  await checkWritableTarget(out, '--out');
  const stream = createWriteStream(out);
  await once(stream, 'open');
  return {
    stream,
    close: async () => {
      stream.end();
      await once(stream, 'close');
    },
  };
}

/** `cas batch`: every input line a request, results in input order. Returns the exit code. */
export async function runBatchCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(BatchOptionsSchema, argv);
  const slotsProblem = totalSlotsProblem(options.instances, options.concurrency);
  if (slotsProblem !== undefined) throw new UsageError(slotsProblem);
  const session = await resolveWorkloadOptions(options, false);
  checkEndpointCount(session.target, options.instances);
  if (options.report !== undefined) await checkWritableTarget(options.report, '--report');
  const input = await openInput(options.input);
  const output = await openOutput(options.out, io);
  const interrupts = handleInterrupts(io.stderr);
  const progress = createProgressDisplay(options.progress);
  let report;
  try {
    report = await runBatch({
      ...session,
      instances: options.instances,
      input,
      output: output.stream,
      concurrency: options.concurrency,
      // Every slot needs room for its result, and some slack for out-of-order ones.
      window: Math.max(options.window, 2 * options.instances * options.concurrency),
      failFast: options.failFast,
      signal: interrupts.signal,
      onProgress: (snapshot) =>
        progress.update({ ...snapshot, total: undefined, durationMs: undefined }),
    });
  } finally {
    progress.stop();
    interrupts.dispose();
    await output.close();
  }
  report = session.redactor.value(report);
  if (options.report !== undefined) await writeJsonAtomic(options.report, report);
  io.stderr.write(formatBatchSummary(report));
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  const allOk = report.lines.bad === 0 && report.requests.failed === 0 && report.instances.failed.length === 0 && !report.stoppedEarly;
  return allOk ? ExitCode.ok : ExitCode.failed;
}
