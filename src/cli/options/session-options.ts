import type { Argv } from 'yargs';
import { z } from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/connection.js';
import { CodexNotFoundError, resolveCodex, type ResolvedCodex } from '../../codex/resolve-codex.js';
import { checkTemplate } from '../../instance/codex-home.js';
import type { InstanceConnectOptions } from '../../instance/start-instances.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../runner/retry-policy.js';
import { UsageError } from '../usage-error.js';
import { nonNegativeInt, repeatedString, singleString } from './flag-schemas.js';

const CODEX = 'Codex:';
const HOMES = 'Homes and state:';
const RETRIES = 'Retries and timeouts:';

/** Flags of every command that starts app-servers: which codex, homes, retries and timeouts. */
export function withSessionOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('codex-bin', { type: 'string', group: CODEX, describe: 'codex binary (default: $CAS_CODEX_BIN, codex on PATH, then the bundled @openai/codex)' })
    .option('codex-arg', { type: 'string', group: CODEX, describe: 'Extra argument after `app-server` (repeatable: --codex-arg -c --codex-arg model=o3)' })
    .option('opt-out-notification-method', { type: 'string', group: CODEX, describe: 'Notification method the server should not send (repeatable)' })
    .option('request-timeout-ms', { type: 'number', default: DEFAULT_REQUEST_TIMEOUT_MS, group: RETRIES, describe: 'Timeout of every request, in ms (0 = none)' })
    .option('retries', { type: 'number', default: DEFAULT_RETRY_POLICY.retries, group: RETRIES, describe: 'Retries of a -32001 (or timed-out read) request' })
    .option('backoff-base-ms', { type: 'number', default: DEFAULT_RETRY_POLICY.backoff.baseMs, group: RETRIES, describe: 'Backoff ceiling of the first retry, in ms' })
    .option('backoff-max-ms', { type: 'number', default: DEFAULT_RETRY_POLICY.backoff.maxMs, group: RETRIES, describe: 'Largest backoff ceiling, in ms' })
    .option('startup-retries', { type: 'number', default: 3, group: RETRIES, describe: 'Retries of an app-server that fails to start' })
    .option('max-restarts', { type: 'number', default: 3, group: RETRIES, describe: 'Restarts of an app-server that dies or hangs, per instance' })
    .option('max-consecutive-timeouts', { type: 'number', default: 3, group: RETRIES, describe: 'Requests in a row a silent app-server leaves unanswered before it is recycled (0 = never)' })
    .option('require-all', { type: 'boolean', default: false, group: RETRIES, describe: 'Stop (exit 1) when any instance fails to start, instead of going on with the rest' })
    .option('grace-ms', { type: 'number', default: 5000, group: RETRIES, describe: 'After SIGINT/SIGTERM, how long requests in flight may finish' })
    .option('redact-key', { type: 'string', group: HOMES, describe: 'Also redact values of this key in every output (repeatable)' })
    .option('run-dir', { type: 'string', group: HOMES, describe: 'Directory for homes and state files (kept); default a temp dir' })
    .option('keep-run-dir', { type: 'boolean', default: false, group: HOMES, describe: 'Keep the temp run dir at exit' })
    .option('codex-home', { type: 'string', group: HOMES, describe: 'CODEX_HOME to use; {i} is replaced by the instance index' })
    .option('codex-home-template', { type: 'string', group: HOMES, describe: 'Copy config.toml and auth.json from here into fresh homes' })
    .option('state-dir', { type: 'string', group: HOMES, describe: 'Directory of the per-instance state files (default <run-dir>/state)' });
}

const optionalString = singleString.optional();

/** Validation of {@link withSessionOptions}. */
export const SessionFlagsSchema = z.object({
  codexBin: optionalString,
  codexArg: repeatedString,
  optOutNotificationMethod: repeatedString,
  requestTimeoutMs: nonNegativeInt,
  retries: nonNegativeInt,
  backoffBaseMs: nonNegativeInt,
  backoffMaxMs: nonNegativeInt,
  startupRetries: nonNegativeInt,
  maxRestarts: nonNegativeInt,
  maxConsecutiveTimeouts: nonNegativeInt,
  requireAll: z.boolean(),
  graceMs: nonNegativeInt,
  redactKey: repeatedString,
  runDir: optionalString,
  keepRunDir: z.boolean(),
  codexHome: optionalString,
  codexHomeTemplate: optionalString,
  stateDir: optionalString,
});
export type SessionFlags = z.infer<typeof SessionFlagsSchema>;

/** What the session flags resolve to. */
export interface ResolvedSessionOptions {
  codex: ResolvedCodex;
  codexArgs: string[];
  connect: InstanceConnectOptions;
  retry: RetryPolicy;
  startupRetries: number;
  maxRestarts: number;
  maxConsecutiveTimeouts: number;
  requireAll: boolean;
  graceMs: number;
  redactKeys: string[];
  runDir: string | undefined;
  keepRunDir: boolean;
  codexHome: string | undefined;
  codexHomeTemplate: string | undefined;
  stateDir: string | undefined;
}

/** Finds codex and checks paths: everything that can be a usage error, before any start. */
export async function resolveSessionOptions(flags: Omit<SessionFlags, 'codexHome'> & { codexHome?: string }): Promise<ResolvedSessionOptions> {
  let codex: ResolvedCodex;
  try {
    codex = resolveCodex({ codexBin: flags.codexBin });
  } catch (error) {
    if (error instanceof CodexNotFoundError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.codexHomeTemplate !== undefined) {
    const problem = await checkTemplate(flags.codexHomeTemplate);
    if (problem !== undefined) throw new UsageError(problem);
  }
  if (flags.backoffMaxMs < flags.backoffBaseMs) throw new UsageError('--backoff-max-ms must be at least --backoff-base-ms');
  return {
    codex,
    codexArgs: flags.codexArg,
    connect: { requestTimeoutMs: flags.requestTimeoutMs, optOutNotificationMethods: flags.optOutNotificationMethod },
    retry: { retries: flags.retries, backoff: { baseMs: flags.backoffBaseMs, maxMs: flags.backoffMaxMs } },
    startupRetries: flags.startupRetries,
    maxRestarts: flags.maxRestarts,
    maxConsecutiveTimeouts: flags.maxConsecutiveTimeouts,
    requireAll: flags.requireAll,
    graceMs: flags.graceMs,
    redactKeys: flags.redactKey,
    runDir: flags.runDir,
    keepRunDir: flags.keepRunDir,
    codexHome: flags.codexHome,
    codexHomeTemplate: flags.codexHomeTemplate,
    stateDir: flags.stateDir,
  };
}
