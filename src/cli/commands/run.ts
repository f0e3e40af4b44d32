import type { Argv } from 'yargs';
import { z } from 'zod';
import { writeJsonAtomic } from '../../instance/atomic-write.js';
import { formatRunSummary } from '../../report/human-summary.js';
import { JsonlFileWriter } from '../../report/records-writer.js';
import { runMethod } from '../../runner/run-method.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { nonNegativeInt, positiveInt, positiveNumber, singleString } from '../options/flag-schemas.js';
import { checkWritableTarget, InstanceOptionsSchema, resolveInstanceOptions, withInstanceOptions } from '../options/instance-options.js';
import { validate } from '../options/validate.js';
import { createProgressDisplay } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';
import type { CliIo } from '../cli-io.js';

const RUN = 'Run:';
const OUTPUT = 'Output:';

/** `cas run` flags on top of the instance options. */
export function runBuilder<T>(yargs: Argv<T>) {
  return withInstanceOptions(yargs)
    .option('instances', { alias: 'n', type: 'number', default: 1, group: RUN, describe: 'App-server instances to start' })
    .option('requests', { type: 'number', group: RUN, describe: 'Requests in all (default: one per instance)' })
    .option('duration', { type: 'number', group: RUN, describe: 'Keep sending for this many seconds' })
    .option('concurrency', { type: 'number', default: 1, group: RUN, describe: 'Requests in flight per instance' })
    .option('json', { type: 'boolean', default: false, group: OUTPUT, describe: 'Print the JSON report on stdout' })
    .option('out', { type: 'string', group: OUTPUT, describe: 'Write the JSON report to this file' })
    .option('records', { type: 'string', group: OUTPUT, describe: 'Stream one JSONL latency record per request to this file' })
    .option('samples', { type: 'number', default: 3, group: OUTPUT, describe: 'Outcomes embedded whole in the report' })
    .option('progress', { type: 'boolean', default: true, group: OUTPUT, describe: 'Progress bar on stderr when it is a terminal (--no-progress)' });
}

const RunOptionsSchema = InstanceOptionsSchema.extend({
  instances: positiveInt,
  requests: positiveInt.optional(),
  duration: positiveNumber.optional(),
  concurrency: positiveInt,
  json: z.boolean(),
  out: singleString.optional(),
  records: singleString.optional(),
  samples: nonNegativeInt,
  progress: z.boolean(),
});

/** `cas run`: fan a method out over N instances and report. Returns the exit code. */
export async function runRun(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(RunOptionsSchema, argv);
  const resolved = await resolveInstanceOptions(options);
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
      concurrency: options.concurrency,
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

  if (options.out !== undefined) await writeJsonAtomic(options.out, report);
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunSummary(report));
  for (const failure of report.instances.failed) io.stderr.write(`cas: instance ${failure.index} failed to start: ${failure.error}\n`);
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  return report.requests.failed > 0 || report.instances.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
}

async function openRecords(file: string): Promise<JsonlFileWriter> {
  try {
    return await JsonlFileWriter.open(file);
  } catch (error) {
    throw new UsageError(`--records ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
