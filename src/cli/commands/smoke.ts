import type { Argv } from 'yargs';
import * as z from 'zod';
import { describeCodex } from '../../codex/describe-codex.js';
import { runSmoke } from '../../smoke/run-smoke.js';
import { formatSmokeLines } from '../../smoke/smoke-result.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { positiveMilliseconds } from '../options/flag-schemas.js';
import { CoreFlagsSchema, HomeFlagsSchema, resolveSessionOptions, withCoreOptions, withHomeOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { checkOneEndpoint, ConnectFlagsSchema, withConnectOptions } from '../options/connect-options.js';

const SMOKE = 'Smoke:';

/** `cas smoke` flags: the codex and home flags, a turn timeout and `--json`. */
export function smokeBuilder<T>(yargs: Argv<T>) {
  return withConnectOptions(withHomeOptions(withCoreOptions(yargs)))
    .option('turn-timeout-ms', { type: 'number', default: 30_000, group: SMOKE, describe: 'How long each turn may take to complete' })
    .option('json', { type: 'boolean', default: false, group: SMOKE, describe: 'Print the result as JSON on stdout' });
}

const SmokeFlagsSchema = CoreFlagsSchema.extend(HomeFlagsSchema.shape).extend(ConnectFlagsSchema.shape).extend({
  turnTimeoutMs: positiveMilliseconds,
  json: z.boolean(),
});

/**
 * `cas smoke`: checks one real app-server (on a fresh home, against the loopback model) answers
 * the core v2 methods. Prints one line per check (or `--json`); exit 0 when all are ok, else 1.
 */
export async function runSmokeCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const options = validate(SmokeFlagsSchema, argv);
  const resolved = await resolveSessionOptions(options);
  checkOneEndpoint(resolved.target);
  const target = resolved.target;
  const interrupts = handleInterrupts(io.stderr);
  let result;
  try {
    result = await runSmoke({
      ...(target.mode === 'connect' ? { endpoint: target.endpoints[0], token: target.token } : {}),
      codex: resolved.codex,
      codexArgs: resolved.codexArgs,
      codexHome: resolved.codexHome,
      codexHomeTemplate: resolved.codexHomeTemplate,
      runDir: resolved.runDir,
      keepRunDir: resolved.keepRunDir,
      requestTimeoutMs: resolved.connect.requestTimeoutMs,
      optOutNotificationMethods: resolved.connect.optOutNotificationMethods,
      cwd: resolved.cwd,
      startupRetries: resolved.startupRetries,
      turnTimeoutMs: options.turnTimeoutMs,
      signal: interrupts.signal,
    });
  } finally {
    interrupts.dispose();
  }
  io.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatSmokeLines(result));
  const passed = result.checks.filter((check) => check.ok).length;
  const codex = result.codex ?? { path: resolved.codex.path, source: resolved.codex.source };
  io.stderr.write(`cas smoke: ${passed} of ${result.checks.length} checks ok; ${describeCodex(codex)}\n`);
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  return result.ok ? ExitCode.ok : ExitCode.failed;
}
