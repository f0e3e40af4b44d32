import type { Argv } from 'yargs';
import { runMethod } from '../../runner/run-method.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { RequestFlagsSchema, resolveRequestOptions, withRequestOptions } from '../options/request-options.js';
import {
  CoreFlagsSchema,
  GraceFlagsSchema,
  HomeFlagsSchema,
  resolveSessionOptions,
  RestartFlagsSchema,
  RetryFlagsSchema,
  StateFlagsSchema,
  withCoreOptions,
  withGraceOptions,
  withHomeOptions,
  withRestartOptions,
  withRetryOptions,
  withStateOptions,
} from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkOneEndpoint, ConnectFlagsSchema, ListenFlagsSchema, withConnectOptions, withListenOption } from '../options/connect-options.js';
import { redactorFor } from '../../report/redactor.js';
import { truncate } from '../../report/truncate.js';
import { stringifyJson } from '../../json/stringify.js';

/** `cas request` takes the request and the session flags of one instance (no --require-all). */
export function requestBuilder<T>(yargs: Argv<T>) {
  return withListenOption(withConnectOptions(withRestartOptions(withRetryOptions(withGraceOptions(withStateOptions(withHomeOptions(withCoreOptions(withRequestOptions(yargs)))))))));
}

const RequestOptionsSchema = CoreFlagsSchema.extend(HomeFlagsSchema.shape)
  .extend(StateFlagsSchema.shape)
  .extend(GraceFlagsSchema.shape)
  .extend(RetryFlagsSchema.shape)
  .extend(RestartFlagsSchema.shape)
  .extend(ConnectFlagsSchema.shape)
  .extend(ListenFlagsSchema.shape)
  .extend(RequestFlagsSchema.shape);

/**
 * `cas request`: one request on one instance, with the same retry rules as `run`. Prints the raw
 * result JSON on stdout; on failure, one line on stderr and exit 1.
 */
export async function runRequest(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(RequestOptionsSchema, argv);
  const resolved = { ...(await resolveRequestOptions(options)), ...(await resolveSessionOptions(options)) };
  checkOneEndpoint(resolved.target);
  // What the server says may quote a secret: its errors are redacted as its results are.
  const redactor = redactorFor({ ...resolved, env: process.env });
  const interrupts = handleInterrupts(io.stderr);
  let report;
  try {
    // No report is printed: the servers' CPU and memory are not sampled (a last sample costs a round trip).
    report = await runMethod({ ...resolved, redactor, instances: 1, requests: 1, concurrency: 1, samples: 1, serverStats: false, signal: interrupts.signal });
  } finally {
    interrupts.dispose();
  }
  const failedStart = report.instances.failed[0];
  if (failedStart !== undefined) {
    io.stderr.write(`cas: app-server failed to start: ${redactor.text(failedStart.error)}\n`);
    return interrupts.exitCode ?? ExitCode.failed;
  }
  const sample = report.samples[0];
  if (sample === undefined || sample.error !== undefined) {
    // Nothing on stdout: a script reading the result sees none, and the exit code says why.
    const error = sample?.error;
    const why = error === undefined ? 'no result' : `${error.code} ${truncate(redactor.text(error.message), 500)}`;
    io.stderr.write(`cas: ${options.method} failed: ${why}\n`);
    return interrupts.exitCode ?? ExitCode.failed;
  }
  io.stdout.write(`${stringifyJson(redactor.value(sample.result))}\n`);
  return ExitCode.ok;
}
