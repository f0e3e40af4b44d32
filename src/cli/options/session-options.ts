import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import * as z from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/connection.js';
import { CodexNotFoundError, resolveCodex, type ResolvedCodex } from '../../codex/resolve-codex.js';
import { directoryProblem } from '../../files/make-dir.js';
import { checkTemplate } from '../../instance/codex-home.js';
import type { ServerTarget } from '../../instance/server-target.js';
import type { InstanceConnectOptions } from '../../instance/start-instances.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../runner/retry-policy.js';
import { DEFAULT_GRACE_MS } from '../../runner/session.js';
import { UsageError } from '../usage-error.js';
import { ConnectFlagsSchema, ListenFlagsSchema, resolveServerTarget, withConnectOptions, withListenOption, type ConnectFlags } from './connect-options.js';
import { count, milliseconds, repeatedString, singleString } from './flag-schemas.js';

const CODEX = 'Codex:';
const HOMES = 'Homes and state:';
const RETRIES = 'Retries and timeouts:';
const optionalString = singleString.optional();

// The flags of commands that start app-servers, in groups: each command takes the groups it
// uses, so its --help lists exactly the flags that do something there.

/** Every such command: which codex, how long a request may take, where temp state goes. */
export function withCoreOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('codex-bin', { type: 'string', group: CODEX, describe: 'codex binary: a path, or a bare name looked up on PATH (default: $CAS_CODEX_BIN, else the bundled @openai/codex)' })
    .option('codex-arg', { type: 'string', group: CODEX, describe: 'Extra argument after `app-server` (repeatable: --codex-arg -c --codex-arg model=o3)' })
    .option('opt-out-notification-method', { type: 'string', group: CODEX, describe: 'Notification method the server should not send (repeatable)' })
    .option('cwd', { type: 'string', group: CODEX, describe: 'Working directory of the app-server, and so the default cwd of its threads (default: the current one)' })
    .option('request-timeout-ms', { type: 'number', default: DEFAULT_REQUEST_TIMEOUT_MS, group: RETRIES, describe: 'Timeout of every request, in ms (0 = none)' })
    .option('startup-retries', { type: 'number', default: 3, group: RETRIES, describe: 'Retries of an app-server that fails to start' })
    .option('run-dir', { type: 'string', group: HOMES, describe: 'Directory for homes and state files (kept); default a temp dir' })
    .option('keep-run-dir', { type: 'boolean', default: false, group: HOMES, describe: 'Keep the temp run dir at exit' });
}
export const CoreFlagsSchema = z.object({
  codexBin: optionalString,
  codexArg: repeatedString,
  optOutNotificationMethod: repeatedString,
  cwd: optionalString,
  requestTimeoutMs: milliseconds,
  startupRetries: count,
  runDir: optionalString,
  keepRunDir: z.boolean(),
});

/** The home the servers run on, and the template fresh homes are filled from. */
export function withHomeOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('codex-home', { type: 'string', group: HOMES, describe: 'CODEX_HOME to use; {i} is replaced by the instance index' })
    .option('codex-home-template', { type: 'string', group: HOMES, describe: 'Copy config.toml and auth.json from here into fresh homes' });
}
export const HomeFlagsSchema = z.object({ codexHome: optionalString, codexHomeTemplate: optionalString });

/** Where per-instance state files go, and extra keys to redact: for commands that write state and reports. */
export function withStateOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('state-dir', { type: 'string', group: HOMES, describe: 'Directory of the per-instance state files (default <run-dir>/state)' })
    .option('redact-key', { type: 'string', group: HOMES, describe: 'Also redact values of this key in every output (repeatable)' });
}
export const StateFlagsSchema = z.object({ stateDir: optionalString, redactKey: repeatedString });

/** How long requests in flight may finish after SIGINT/SIGTERM. */
export function withGraceOptions<T>(yargs: Argv<T>) {
  return yargs.option('grace-ms', { type: 'number', default: DEFAULT_GRACE_MS, group: RETRIES, describe: 'After SIGINT/SIGTERM, how long requests in flight may finish' });
}
export const GraceFlagsSchema = z.object({ graceMs: milliseconds });

/** Retries of overloaded (and timed-out read-only) requests. */
export function withRetryOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('retries', { type: 'number', default: DEFAULT_RETRY_POLICY.retries, group: RETRIES, describe: 'Retries of a -32001 (or timed-out read) request' })
    .option('backoff-base-ms', { type: 'number', default: DEFAULT_RETRY_POLICY.backoff.baseMs, group: RETRIES, describe: 'Backoff ceiling of the first retry, in ms' })
    .option('backoff-max-ms', { type: 'number', default: DEFAULT_RETRY_POLICY.backoff.maxMs, group: RETRIES, describe: 'Largest backoff ceiling, in ms' });
}
export const RetryFlagsSchema = z.object({ retries: count, backoffBaseMs: milliseconds, backoffMaxMs: milliseconds });

/** Restarting servers that die or hang. */
export function withRestartOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('max-restarts', { type: 'number', default: 3, group: RETRIES, describe: 'Restarts of an app-server that dies or hangs, per instance' })
    .option('max-consecutive-timeouts', { type: 'number', default: 3, group: RETRIES, describe: 'Requests in a row a silent app-server leaves unanswered before it is recycled (0 = never)' });
}
export const RestartFlagsSchema = z.object({ maxRestarts: count, maxConsecutiveTimeouts: count });

/** For commands with several instances: stop when one fails to start. */
export function withRequireAllOption<T>(yargs: Argv<T>) {
  return yargs.option('require-all', { type: 'boolean', default: false, group: RETRIES, describe: 'Stop (exit 1) when any instance fails to start, instead of going on with the rest' });
}
export const RequireAllFlagsSchema = z.object({ requireAll: z.boolean() });

/** Every group but the home's: what `mine` takes (its --codex-home names the homes to mine). */
export function withWorkloadSessionOptions<T>(yargs: Argv<T>) {
  return withListenOption(withConnectOptions(withRequireAllOption(withRestartOptions(withRetryOptions(withGraceOptions(withStateOptions(withCoreOptions(yargs))))))));
}
export const WorkloadSessionFlagsSchema = CoreFlagsSchema.extend(StateFlagsSchema.shape)
  .extend(ConnectFlagsSchema.shape)
  .extend(ListenFlagsSchema.shape)
  .extend(GraceFlagsSchema.shape)
  .extend(RetryFlagsSchema.shape)
  .extend(RestartFlagsSchema.shape)
  .extend(RequireAllFlagsSchema.shape);

/** Every group: what `run` and `batch` take. */
export function withSessionOptions<T>(yargs: Argv<T>) {
  return withHomeOptions(withWorkloadSessionOptions(yargs));
}
export const SessionFlagsSchema = WorkloadSessionFlagsSchema.extend(HomeFlagsSchema.shape);

/** The flags {@link resolveSessionOptions} reads: the core group, and whichever others a command takes. */
export type SessionFlags = z.infer<typeof CoreFlagsSchema> &
  Partial<z.infer<typeof HomeFlagsSchema>> &
  Partial<z.infer<typeof StateFlagsSchema>> &
  Partial<z.infer<typeof GraceFlagsSchema>> &
  Partial<z.infer<typeof RetryFlagsSchema>> &
  Partial<z.infer<typeof RestartFlagsSchema>> &
  Partial<z.infer<typeof RequireAllFlagsSchema>> &
  Partial<ConnectFlags>;

/** What the session flags resolve to. */
export interface ResolvedSessionOptions {
  /** What runs, or (with --connect, source `connect`) the servers reached, for reports. */
  codex: ResolvedCodex;
  /** Spawned over stdio, listening on a socket, or already running. */
  target: ServerTarget;
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
  /** The app-server's working directory (absolute), when `--cwd` names one. */
  cwd: string | undefined;
}

/** `--cwd` as an absolute path; a usage error unless it is a directory. */
export async function resolveCwd(cwd: string | undefined): Promise<string | undefined> {
  if (cwd === undefined) return undefined;
  const dir = path.resolve(cwd);
  const isDir = await stat(dir).then((info) => info.isDirectory(), () => false);
  if (!isDir) throw new UsageError(`--cwd ${cwd}: not a directory`);
  return dir;
}

/** Finds codex and checks paths: everything that can be a usage error, before any start. A group a command does not take gets its defaults. */
export async function resolveSessionOptions(flags: SessionFlags): Promise<ResolvedSessionOptions> {
  const target = await resolveServerTarget(flags);
  let codex: ResolvedCodex;
  try {
    codex = target.mode === 'connect' ? runningServers(target) : resolveCodex({ codexBin: flags.codexBin });
  } catch (error) {
    if (error instanceof CodexNotFoundError) throw new UsageError(error.message);
    throw error;
  }
  if (flags.codexHomeTemplate !== undefined) {
    const problem = await checkTemplate(flags.codexHomeTemplate);
    if (problem !== undefined) throw new UsageError(problem);
  }
  for (const [flag, dir] of [['--run-dir', flags.runDir], ['--state-dir', flags.stateDir], ['--codex-home', flags.codexHome]] as const) {
    // {i} homes are checked by their common parent: each is made when its instance starts.
    const checked = dir?.includes('{i}') ? path.dirname(dir) : dir;
    const problem = checked === undefined ? undefined : await directoryProblem(checked);
    if (problem !== undefined) throw new UsageError(`${flag} ${dir}: ${problem}`);
  }
  const cwd = await resolveCwd(flags.cwd);
  const backoff = { baseMs: flags.backoffBaseMs ?? DEFAULT_RETRY_POLICY.backoff.baseMs, maxMs: flags.backoffMaxMs ?? DEFAULT_RETRY_POLICY.backoff.maxMs };
  if (backoff.maxMs < backoff.baseMs) throw new UsageError('--backoff-max-ms must be at least --backoff-base-ms');
  return {
    codex,
    target,
    codexArgs: flags.codexArg,
    connect: { requestTimeoutMs: flags.requestTimeoutMs, optOutNotificationMethods: flags.optOutNotificationMethod, ...(cwd === undefined ? {} : { cwd }) },
    retry: { retries: flags.retries ?? DEFAULT_RETRY_POLICY.retries, backoff },
    startupRetries: flags.startupRetries,
    maxRestarts: flags.maxRestarts ?? 3,
    maxConsecutiveTimeouts: flags.maxConsecutiveTimeouts ?? 3,
    requireAll: flags.requireAll ?? false,
    graceMs: flags.graceMs ?? DEFAULT_GRACE_MS,
    redactKeys: flags.redactKey ?? [],
    runDir: flags.runDir,
    keepRunDir: flags.keepRunDir,
    codexHome: flags.codexHome,
    codexHomeTemplate: flags.codexHomeTemplate,
    stateDir: flags.stateDir,
    cwd,
  };
}

/** What reports name as "codex" when cas runs none: the servers it connects to. */
function runningServers(target: ServerTarget & { mode: 'connect' }): ResolvedCodex {
  const endpoints = [...new Set(target.endpoints.map((endpoint) => endpoint.display))].join(', ');
  return { command: '', prefixArgs: [], env: {}, path: endpoints, source: 'connect' };
}
