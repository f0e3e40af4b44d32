import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { z } from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/connection.js';
import { CodexNotFoundError, resolveCodex, type ResolvedCodex } from '../../codex/resolve-codex.js';
import { checkTemplate } from '../../instance/codex-home.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../runner/retry-policy.js';
import type { InstanceConnectOptions } from '../../instance/start-instances.js';
import { UsageError } from '../usage-error.js';
import { nonNegativeInt, repeatedString, singleString } from './flag-schemas.js';
import { loadParams } from './params.js';

const CODEX = 'Codex:';
const HOMES = 'Homes and state:';
const RETRIES = 'Retries and timeouts:';
const REQUEST = 'Request:';

/** Options every command that starts app-servers takes: which codex, homes, retries, the request. */
export function withInstanceOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('method', { alias: 'm', type: 'string', group: REQUEST, describe: 'JSON-RPC method to call, e.g. thread/list' })
    .option('params', { alias: 'params-json', type: 'string', group: REQUEST, describe: 'Params as a JSON object (default {})' })
    .option('params-file', { type: 'string', group: REQUEST, describe: 'Read params from a JSON file (- for stdin)' })
    .option('codex-bin', { type: 'string', group: CODEX, describe: 'codex binary (default: $CAS_CODEX_BIN, codex on PATH, then the bundled @openai/codex)' })
    .option('codex-arg', { type: 'string', group: CODEX, describe: 'Extra argument after `app-server` (repeatable: --codex-arg -c --codex-arg model=o3)' })
    .option('opt-out-notification-method', { type: 'string', group: CODEX, describe: 'Notification method the server should not send (repeatable)' })
    .option('request-timeout-ms', { type: 'number', default: DEFAULT_REQUEST_TIMEOUT_MS, group: RETRIES, describe: 'Timeout of every request, in ms (0 = none)' })
    .option('retries', { type: 'number', default: DEFAULT_RETRY_POLICY.retries, group: RETRIES, describe: 'Retries of a -32001 (or timed-out read) request' })
    .option('backoff-base-ms', { type: 'number', default: DEFAULT_RETRY_POLICY.backoff.baseMs, group: RETRIES, describe: 'Backoff ceiling of the first retry, in ms' })
    .option('backoff-max-ms', { type: 'number', default: DEFAULT_RETRY_POLICY.backoff.maxMs, group: RETRIES, describe: 'Largest backoff ceiling, in ms' })
    .option('startup-retries', { type: 'number', default: 3, group: RETRIES, describe: 'Retries of an app-server that fails to start' })
    .option('run-dir', { type: 'string', group: HOMES, describe: 'Directory for homes and state files (kept); default a temp dir' })
    .option('keep-run-dir', { type: 'boolean', default: false, group: HOMES, describe: 'Keep the temp run dir at exit' })
    .option('codex-home', { type: 'string', group: HOMES, describe: 'CODEX_HOME to use; {i} is replaced by the instance index' })
    .option('codex-home-template', { type: 'string', group: HOMES, describe: 'Copy config.toml and auth.json from here into fresh homes' })
    .option('state-dir', { type: 'string', group: HOMES, describe: 'Directory of the per-instance state files (default <run-dir>/state)' });
}

const optionalString = singleString.optional();

/** Validation of {@link withInstanceOptions}. */
export const InstanceOptionsSchema = z.object({
  method: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  params: optionalString,
  paramsFile: optionalString,
  codexBin: optionalString,
  codexArg: repeatedString,
  optOutNotificationMethod: repeatedString,
  requestTimeoutMs: nonNegativeInt,
  retries: nonNegativeInt,
  backoffBaseMs: nonNegativeInt,
  backoffMaxMs: nonNegativeInt,
  startupRetries: nonNegativeInt,
  runDir: optionalString,
  keepRunDir: z.boolean(),
  codexHome: optionalString,
  codexHomeTemplate: optionalString,
  stateDir: optionalString,
});
export type InstanceOptions = z.infer<typeof InstanceOptionsSchema>;

/** What the validated instance options resolve to. */
export interface ResolvedInstanceOptions {
  method: string;
  params: Record<string, unknown>;
  codex: ResolvedCodex;
  codexArgs: string[];
  connect: InstanceConnectOptions;
  retry: RetryPolicy;
  startupRetries: number;
  runDir: string | undefined;
  keepRunDir: boolean;
  codexHome: string | undefined;
  codexHomeTemplate: string | undefined;
  stateDir: string | undefined;
}

/** Fails early, as a usage error, when a file cas must write at the end could not be written. */
export async function checkWritableTarget(file: string, flag: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: directory ${dir} does not exist or is not writable`);
  }
}

/** Loads params, finds codex and checks paths: everything that can be a usage error, before any start. */
export async function resolveInstanceOptions(options: InstanceOptions): Promise<ResolvedInstanceOptions> {
  const params = await loadParams(options.params, options.paramsFile);
  let codex: ResolvedCodex;
  try {
    codex = resolveCodex({ codexBin: options.codexBin });
  } catch (error) {
    if (error instanceof CodexNotFoundError) throw new UsageError(error.message);
    throw error;
  }
  if (options.codexHomeTemplate !== undefined) {
    const problem = await checkTemplate(options.codexHomeTemplate);
    if (problem !== undefined) throw new UsageError(problem);
  }
  if (options.backoffMaxMs < options.backoffBaseMs) throw new UsageError('--backoff-max-ms must be at least --backoff-base-ms');
  return {
    method: options.method,
    params,
    codex,
    codexArgs: options.codexArg,
    connect: { requestTimeoutMs: options.requestTimeoutMs, optOutNotificationMethods: options.optOutNotificationMethod },
    retry: { retries: options.retries, backoff: { baseMs: options.backoffBaseMs, maxMs: options.backoffMaxMs } },
    startupRetries: options.startupRetries,
    runDir: options.runDir,
    keepRunDir: options.keepRunDir,
    codexHome: options.codexHome,
    codexHomeTemplate: options.codexHomeTemplate,
    stateDir: options.stateDir,
  };
}

