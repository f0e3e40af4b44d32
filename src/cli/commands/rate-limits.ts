import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import * as z from 'zod';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/connection.js';
import { CodexNotFoundError, resolveCodex } from '../../codex/resolve-codex.js';
import type { BudgetSnapshot, WindowBudget } from '../../budget/governor.js';
import { readRateLimits } from '../../budget/read-rate-limits.js';
import { inheritedCodexHome } from '../../instance/inherited-home.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { milliseconds, repeatedString, singleString } from '../options/flag-schemas.js';
import { resolveCwd } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { UsageError } from '../usage-error.js';

const GROUP = 'Rate limits:';

/** `cas rate-limits` flags: which codex and home, and `--json`. */
export function rateLimitsBuilder<T>(yargs: Argv<T>) {
  return yargs
    .option('codex-bin', { type: 'string', group: GROUP, describe: 'codex binary: a path, or a bare name looked up on PATH (default: $CAS_CODEX_BIN, else the bundled @openai/codex)' })
    .option('codex-arg', { type: 'string', group: GROUP, describe: 'Extra argument after `app-server` (repeatable)' })
    .option('codex-home', { type: 'string', group: GROUP, describe: 'The home whose account to read (default $CODEX_HOME, else ~/.codex); it must hold a ChatGPT login' })
    .option('cwd', { type: 'string', group: GROUP, describe: 'Working directory of the app-server' })
    .option('request-timeout-ms', { type: 'number', default: DEFAULT_REQUEST_TIMEOUT_MS, group: GROUP, describe: 'Timeout of the read, in ms' })
    .option('json', { type: 'boolean', default: false, group: GROUP, describe: 'Print the normalized snapshot as JSON' });
}

const RateLimitsFlagsSchema = z.object({
  codexBin: singleString.optional(),
  codexArg: repeatedString,
  codexHome: singleString.optional(),
  cwd: singleString.optional(),
  requestTimeoutMs: milliseconds,
  json: z.boolean(),
});

function fixed(value: number | null, digits = 1): string {
  return value === null ? 'null' : value.toFixed(digits);
}

function isoOf(seconds: number | null): string {
  return seconds === null ? 'null' : new Date(seconds * 1000).toISOString();
}

function windowLine(window: WindowBudget | null, kind: string): string {
  if (window === null) return `${kind}: none`;
  return `${kind}: used ${window.usedPercent ?? '?'}% of ${window.windowDurationMins ?? '?'} min, ${fixed(window.elapsedPercent)}% elapsed, tier ${window.tier} (${window.tierReason}), resets ${isoOf(window.resetsAt)}`;
}

/** The original cas_rate_limits.mjs's `key=value` lines, then one line per window. */
export function formatBudget(budget: BudgetSnapshot): string {
  return [
    `tier=${budget.tier} tier_reason=${budget.tierReason}`,
    `used_percent=${budget.usedPercent ?? 'null'}`,
    `elapsed_percent=${budget.elapsedPercent === null ? 'null' : `${budget.elapsedPercent.toFixed(1)}%`}`,
    `delta_percent=${fixed(budget.deltaPercent)}`,
    `resets_at=${isoOf(budget.resetsAt)}`,
    `window_mins=${budget.windowDurationMins ?? 'null'}`,
    `bucket_key=${budget.bucketKey ?? 'null'}`,
    `limit_id=${budget.limitId ?? 'null'}`,
    `limit_name=${budget.limitName ?? 'null'}`,
    `plan_type=${budget.planType ?? 'null'}`,
    windowLine(budget.primary, 'primary'),
    windowLine(budget.secondary, 'secondary'),
    '',
  ].join('\n');
}

/** `cas rate-limits`: the account's rate limits as a pacing budget, per window and overall. Returns the exit code. */
export async function runRateLimitsCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const flags = validate(RateLimitsFlagsSchema, argv);
  let codex;
  try {
    codex = resolveCodex({ codexBin: flags.codexBin });
  } catch (error) {
    if (error instanceof CodexNotFoundError) throw new UsageError(error.message);
    throw error;
  }
  const codexHome = flags.codexHome === undefined ? inheritedCodexHome() : path.resolve(flags.codexHome);
  if (!(await stat(codexHome).then((info) => info.isDirectory(), () => false))) throw new UsageError(`--codex-home ${codexHome}: no such directory`);
  const cwd = await resolveCwd(flags.cwd);
  const { budget } = await readRateLimits({ codex, codexArgs: flags.codexArg, codexHome, cwd, requestTimeoutMs: flags.requestTimeoutMs });
  io.stdout.write(flags.json ? `${JSON.stringify(budget, null, 2)}\n` : formatBudget(budget));
  return ExitCode.ok;
}
