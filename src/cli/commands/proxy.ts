import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { runProxy, type ProxyEnd } from '../../proxy/run-proxy.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { milliseconds, positiveInt, singleString } from '../options/flag-schemas.js';
import { MockModelFlagsSchema, withMockModelOptions } from '../options/mock-model-options.js';
import { checkWritableTarget } from '../options/output-target.js';
import { policyFlagsSchema, withPolicyOptions } from '../options/policy-options.js';
import { CoreFlagsSchema, GraceFlagsSchema, HomeFlagsSchema, StateFlagsSchema, withCoreOptions, withGraceOptions, withHomeOptions, withStateOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkOneEndpoint, ConnectFlagsSchema, ListenFlagsSchema, withConnectOptions, withListenOption } from '../options/connect-options.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';

const PROXY = 'Proxy:';

/** `cas proxy` flags: the session flags (one app-server), the policy (with `forward`), and the stream's own. */
export function proxyBuilder<T>(yargs: Argv<T>) {
  return withPolicyOptions(withMockModelOptions(withListenOption(withConnectOptions(withGraceOptions(withStateOptions(withHomeOptions(withCoreOptions(yargs))))))))
    .option('server-request-timeout-ms', { type: 'number', default: 30_000, group: PROXY, describe: 'How long the orchestrator has to answer a forwarded server request (0 = forever)' })
    .option('max-out-queue', { type: 'number', default: 1000, group: PROXY, describe: 'Unread events before the proxy pauses reading the app-server and stdin' })
    .option('state-file', { type: 'string', group: PROXY, describe: 'Keep the proxy state (current thread, ...) here (default <state-dir>/proxy.json or <run-dir>/proxy.json)' });
}

const ProxyOptionsSchema = CoreFlagsSchema.extend(HomeFlagsSchema.shape)
  .extend(StateFlagsSchema.shape)
  .extend(GraceFlagsSchema.shape)
  .extend(ConnectFlagsSchema.shape)
  .extend(ListenFlagsSchema.shape)
  .extend(MockModelFlagsSchema.shape)
  .extend(policyFlagsSchema(true).shape)
  .extend({
    serverRequestTimeoutMs: milliseconds,
    maxOutQueue: positiveInt,
    stateFile: singleString.optional(),
  });

const EXIT_CODES: Record<ProxyEnd, number> = {
  'exit-requested': ExitCode.ok,
  'input-ended': ExitCode.ok,
  'app-server-exited': ExitCode.failed,
  'failed-to-start': ExitCode.failed,
  signal: ExitCode.ok,
};

/** `cas proxy`: one app-server behind a JSONL stream API on stdio. Returns the exit code. */
export async function runProxyCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(ProxyOptionsSchema, argv);
  const session = await resolveWorkloadOptions(options, true);
  checkOneEndpoint(session.target);
  const beside = options.stateDir ?? options.runDir;
  const stateFile = options.stateFile ?? (beside === undefined ? undefined : path.join(beside, 'proxy.json'));
  if (stateFile !== undefined) await checkWritableTarget(stateFile, '--state-file');
  const stop = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const end = await runProxy({
      ...session,
      input: process.stdin,
      output: io.stdout as Writable,
      serverRequestTimeoutMs: options.serverRequestTimeoutMs,
      maxOutQueue: options.maxOutQueue,
      stateFile,
      signal: stop.signal,
    });
    if (signalled !== undefined) return signalled === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
    return EXIT_CODES[end];
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
