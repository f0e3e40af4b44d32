import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import * as z from 'zod';
import { DEFAULT_CLIENT_INFO } from '../../client/connection.js';
import { inheritedCodexHome } from '../../instance/inherited-home.js';
import { makeDirectory } from '../../files/make-dir.js';
import { INDEX_PLACEHOLDER } from '../../instance/codex-home.js';
import { defaultStateFile } from '../../proxy/proxy-state.js';
import { runProxy, type ProxyEnd } from '../../proxy/run-proxy.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { BudgetFlagsSchema, withBudgetOptions } from '../options/budget-options.js';
import { milliseconds, positiveInt, singleString } from '../options/flag-schemas.js';
import { MockModelFlagsSchema, withMockModelOptions } from '../options/mock-model-options.js';
import { checkWritableTarget } from '../options/output-target.js';
import { policyFlagsSchema, withPolicyOptions } from '../options/policy-options.js';
import { CoreFlagsSchema, GraceFlagsSchema, HomeFlagsSchema, StateFlagsSchema, withCoreOptions, withGraceOptions, withHomeOptions, withStateOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkOneEndpoint, ConnectFlagsSchema, ListenFlagsSchema, withConnectOptions, withListenOption } from '../options/connect-options.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { UsageError } from '../usage-error.js';

const PROXY = 'Proxy:';

/** `cas proxy` flags: the session flags (one app-server), the policy (with `forward`), and the stream's own, with the original cas's names. */
export function proxyBuilder<T>(yargs: Argv<T>) {
  return withBudgetOptions(withPolicyOptions(withMockModelOptions(withListenOption(withConnectOptions(withGraceOptions(withStateOptions(withHomeOptions(withCoreOptions(yargs)))))))))
    .alias('codex-bin', 'codex')
    .option('server-request-timeout-ms', { type: 'number', default: 30_000, group: PROXY, describe: 'How long the orchestrator has to answer a forwarded server request (0 = forever)' })
    .option('max-out-queue', { type: 'number', default: 1000, group: PROXY, describe: 'Unread events before the proxy pauses reading the app-server and stdin' })
    .option('state-file', { type: 'string', group: PROXY, describe: 'Keep the proxy state (current thread, ...) here, read back at start (default $CODEX_HOME/cas/state/<hash of the cwd>.json)' })
    .option('heartbeat-ms', { type: 'number', default: 0, group: PROXY, describe: 'Emit a cas/stats event every N ms (0 = none)' })
    .option('kill-timeout-ms', { type: 'number', default: 2000, group: PROXY, describe: 'Closing the app-server: how long to wait after stdin EOF before SIGTERM, and after SIGTERM before SIGKILL' })
    .option('client-name', { type: 'string', group: PROXY, describe: `initialize clientInfo.name (default ${DEFAULT_CLIENT_INFO.name})` })
    .option('client-title', { type: 'string', group: PROXY, describe: 'initialize clientInfo.title' })
    .option('client-version', { type: 'string', group: PROXY, describe: `initialize clientInfo.version (default ${DEFAULT_CLIENT_INFO.version})` });
}

const ProxyOptionsSchema = CoreFlagsSchema.extend(HomeFlagsSchema.shape)
  .extend(StateFlagsSchema.shape)
  .extend(GraceFlagsSchema.shape)
  .extend(ConnectFlagsSchema.shape)
  .extend(ListenFlagsSchema.shape)
  .extend(MockModelFlagsSchema.shape)
  .extend(policyFlagsSchema(true).shape)
  .extend(BudgetFlagsSchema.shape)
  .extend({
    serverRequestTimeoutMs: milliseconds,
    maxOutQueue: positiveInt,
    stateFile: singleString.optional(),
    heartbeatMs: milliseconds,
    killTimeoutMs: milliseconds,
    clientName: singleString.optional(),
    clientTitle: z.string({ error: 'must be given once, with a value' }).optional(),
    clientVersion: singleString.optional(),
  });
type ProxyFlags = z.infer<typeof ProxyOptionsSchema>;

const EXIT_CODES: Record<Exclude<ProxyEnd, 'signal'>, number> = {
  'exit-requested': ExitCode.ok,
  'input-ended': ExitCode.ok,
  'app-server-exited': ExitCode.failed,
  'failed-to-start': ExitCode.failed,
};

/**
 * Where the proxy keeps its state: `--state-file`, else `<state-dir>/proxy.json`, else
 * `<home>/cas/state/<hash of the cwd>.json` in the home it runs on (or the inherited one, when
 * that home is a fresh temp one), so a restart in the same directory picks up where it left.
 */
function stateFileFor(flags: ProxyFlags, home: string | undefined, cwd: string): string {
  if (flags.stateFile !== undefined) return path.resolve(flags.stateFile);
  if (flags.stateDir !== undefined) return path.resolve(flags.stateDir, 'proxy.json');
  return defaultStateFile(home ?? inheritedCodexHome(), cwd);
}

/** `cas proxy`: one app-server behind a JSONL stream API on stdio. Returns the exit code. */
export async function runProxyCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const flags = validate(ProxyOptionsSchema, argv);
  // Like codex itself, the proxy runs on the CODEX_HOME it inherits unless a home flag says otherwise.
  // A server reached with --connect owns its home: there is none to inherit.
  const inherited = flags.codexHome === undefined && flags.codexHomeTemplate === undefined && flags.connect.length === 0;
  const codexHome = inherited ? inheritedCodexHome() : flags.codexHome?.replaceAll(INDEX_PLACEHOLDER, '0');
  const options = await resolveWorkloadOptions({ ...flags, codexHome }, true, io.stderr);
  checkOneEndpoint(options.target);
  const cwd = options.cwd ?? process.cwd();
  const stateFile = stateFileFor(flags, codexHome, cwd);
  try {
    await makeDirectory(path.dirname(stateFile));
  } catch (error) {
    throw new UsageError(`--state-file ${stateFile}: ${(error as Error).message}`);
  }
  await checkWritableTarget(stateFile, '--state-file');
  const clientInfo = {
    name: flags.clientName ?? DEFAULT_CLIENT_INFO.name,
    title: flags.clientTitle ?? (flags.clientName === undefined ? (DEFAULT_CLIENT_INFO.title ?? null) : null),
    version: flags.clientVersion ?? DEFAULT_CLIENT_INFO.version,
  };
  const interrupts = handleInterrupts(io.stderr);
  try {
    const end = await runProxy({
      ...options,
      // The inherited home is the user's own: cas writes nothing into it (the mock model, if any, comes as -c overrides).
      untouchedHomes: inherited,
      connect: { ...options.connect, clientInfo },
      input: process.stdin,
      output: io.stdout as Writable,
      serverRequestTimeoutMs: flags.serverRequestTimeoutMs,
      maxOutQueue: flags.maxOutQueue,
      stateFile,
      heartbeatMs: flags.heartbeatMs,
      killTimeoutMs: flags.killTimeoutMs,
      signal: interrupts.signal,
    });
    if (end === 'signal') return interrupts.exitCode ?? ExitCode.sigint;
    return EXIT_CODES[end];
  } finally {
    interrupts.dispose();
    // cas/exit ends the proxy even while the orchestrator keeps its stdin open.
    process.stdin.destroy();
  }
}
