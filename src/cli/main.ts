import type { CliIo } from './cli-io.js';
import { casVersion } from './cas-version.js';
import { commandSyntax, COMMANDS, findCommand } from './command-registry.js';
import { keepCompiledCodeAtExit } from './compile-cache/keep-at-exit.js';
import { ExitCode } from './exit-codes.js';
import { describeUnknownFlags, nearestName, unknownFlags, type KnownFlags } from './flag-suggestions.js';
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

/** Flags that may come without a command. */
const TOP_LEVEL_FLAGS = new Set(['--help', '-h', '--version', '-V']);

/** " (did you mean X?)" for a mistyped command name, or nothing. */
function nearCommand(word: string): string {
  const near = nearestName(word, COMMANDS.flatMap((entry) => [entry.name, ...(entry.aliases ?? [])]));
  return near === undefined ? '' : ` (did you mean ${near}?)`;
}

/** yargs's message for a usage problem, in cas's words: unknown flags named once, with a near miss; a missing flag by its name. */
function usageMessage(message: string, argv: readonly string[], known: KnownFlags): string {
  if (/^Unknown arguments?:/.test(message)) {
    const flags = unknownFlags(argv, known);
    if (flags.length > 0) return describeUnknownFlags(flags, known);
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message);
  if (missing !== null) return `${missing[1]!.split(', ').map((name) => `--${name}`).join(', ')} ${missing[1]!.includes(',') ? 'are' : 'is'} required`;
  return message;
}

/**
 * Watches the output streams for failures (a full disk, a reader that went away: `cas ... |
 * head`), which would otherwise crash cas with an unhandled 'error'. Resolves the exit code to
 * use: a failed stdout fails the command; a closed pipe quietly, anything else with one line.
 */
function guardOutputs(io: CliIo): (exitCode: number) => number {
  let stdoutError: NodeJS.ErrnoException | undefined;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    stdoutError ??= error;
  };
  // Nothing can be said about a failed stderr: it is only kept from crashing cas.
  const onStderrError = () => undefined;
  // Left attached: a failed write's 'error' comes a tick after the write, possibly after cas is done.
  io.stdout.on('error', onStdoutError);
  io.stderr.on('error', onStderrError);
  return (exitCode) => {
    if (stdoutError === undefined) return exitCode;
    if (stdoutError.code !== 'EPIPE') io.stderr.write(`cas: stdout: write failed: ${stdoutError.message}\n`);
    return exitCode === ExitCode.ok ? ExitCode.failed : exitCode;
  };
}

/**
 * yargs renders the whole help text after starting a command's handler, to cache it for a later
 * showHelp(): tens of ms of CPU on every run, before cas can start its app-servers. cas never
 * shows help from a handler (--help is answered by the parser), so nothing needs the cache.
 */
function skipHelpCaching(parser: unknown): void {
  const usage = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Runs the cas CLI on `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const finish = guardOutputs(io);
  const exitCode = await runCli(argv, io);
  // A write's failure is emitted a tick after it: let the last one be seen.
  await new Promise((resolve) => setImmediate(resolve));
  return finish(exitCode);
}

async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // `cas --version` needs no parser at all.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${casVersion()}\n`);
    return ExitCode.ok;
  }
  const word = argv[0];
  if (word !== undefined && word.startsWith('-') && !TOP_LEVEL_FLAGS.has(word)) {
    io.stderr.write(`cas: name the command first: cas <command> [flags] (commands: ${COMMANDS.map((entry) => entry.name).join(', ')})\n`);
    return ExitCode.usage;
  }
  const chosen = word === undefined || word.startsWith('-') ? undefined : findCommand(word);
  if (word !== undefined && !word.startsWith('-') && chosen === undefined) {
    io.stderr.write(`cas: unknown command ${word}${nearCommand(word)}; name one of ${COMMANDS.map((entry) => entry.name).join(', ')}\n`);
    return ExitCode.usage;
  }
  // Only the command that runs is loaded (the others are listed by name, so `cas --help` stays
  // cheap), side by side with the parser: one's file is read while the other compiles.
  const [{ default: yargs }, loaded] = await Promise.all([import('yargs'), chosen?.load()]);
  let exitCode: number = ExitCode.ok;
  let parser = yargs(glueDashValues(argv))
    .scriptName('cas')
    .usage('$0 <command> [options]\n\nDrive `codex app-server` at scale.');
  for (const entry of COMMANDS) {
    if (entry === chosen && loaded !== undefined) {
      parser = parser.command([commandSyntax(entry), ...(entry.aliases ?? [])], entry.describe, (y) => loaded.builder(y), async (args) => {
        exitCode = await loaded.handler(args, io);
        if (exitCode === ExitCode.ok) keepCompiledCodeAtExit();
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
      throw new UsageError(usageMessage(message, argv, (parser as unknown as { getOptions(): KnownFlags }).getOptions()));
    })
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .help()
    .alias('help', 'h')
    .version(casVersion());
  skipHelpCaching(parser);
  try {
    await parser.parseAsync();
  } catch (error) {
    // A usage error, another cas holding an output or state dir this run needs, or a directory that cannot be made: the invocation is wrong.
    // Known by name: a command's bundle has its own copy of each error class.
    if (error instanceof Error && (error.name === 'UsageError' || error.name === 'LockedError' || error.name === 'DirectoryError')) {
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
