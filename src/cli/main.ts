import type { CliIo } from './cli-io.js';
import { casVersion } from './cas-version.js';
import { commandSyntax, COMMANDS, findCommand } from './command-registry.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** Flags whose value may start with a dash (`--codex-arg -c`, `--params-file -`, `--input -`): glued to their value. */
const DASH_VALUE_FLAGS = new Set(['--codex-arg', '--params-file', '--input', '-i']);

/** Rewrites `--codex-arg -c` as `--codex-arg=-c`, which the parser would otherwise read as a flag. */
export function glueDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (DASH_VALUE_FLAGS.has(arg) && value !== undefined && value.startsWith('-')) {
      out.push(`${arg}=${value}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** The command named on the command line: its first word that is not a flag. */
function commandWord(argv: readonly string[]): string | undefined {
  return argv.find((arg) => !arg.startsWith('-'));
}

/** Runs the cas CLI on `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // `cas --version` needs no parser at all.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${casVersion()}\n`);
    return ExitCode.ok;
  }
  const { default: yargs } = await import('yargs');
  const chosen = findCommand(commandWord(argv));
  // Only the command that runs is loaded: the others are listed by name, so `cas --help` stays cheap.
  const loaded = chosen === undefined ? undefined : await chosen.load();
  let exitCode: number = ExitCode.ok;
  let parser = yargs(glueDashValues(argv))
    .scriptName('cas')
    .usage('$0 <command> [options]\n\nDrive `codex app-server` at scale.');
  for (const entry of COMMANDS) {
    if (entry === chosen && loaded !== undefined) {
      parser = parser.command([commandSyntax(entry), ...(entry.aliases ?? [])], entry.describe, (y) => loaded.builder(y), async (args) => {
        exitCode = await loaded.handler(args, io);
      });
    } else {
      parser = parser.command([commandSyntax(entry), ...(entry.aliases ?? [])], entry.describe);
    }
  }
  parser = parser
    .demandCommand(1, `name a command: ${COMMANDS.map((entry) => entry.name).join(', ')}`)
    .recommendCommands()
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(message);
    })
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .help()
    .version(casVersion());
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`cas: ${error.message.split('\n')[0]}\n`);
      return ExitCode.usage;
    }
    // A failure's message may quote a server's output: secrets from the environment are cut out.
    const { redactorFor } = await import('../report/redactor.js');
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    io.stderr.write(`cas: ${redactorFor({ env: process.env }).text(message)}\n`);
    if (process.env.CAS_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.failed;
  }
  return exitCode;
}
