import yargs from 'yargs';
import type { CliIo } from './cli-io.js';
import { mockModelBuilder, runMockModel } from './commands/mock-model.js';
import { batchBuilder, runBatchCommand } from './commands/batch.js';
import { mineBuilder, runMineCommand } from './commands/mine.js';
import { proxyBuilder, runProxyCommand } from './commands/proxy.js';
import { requestBuilder, runRequest } from './commands/request.js';
import { runBuilder, runRun } from './commands/run.js';
import { runSmokeCommand, smokeBuilder } from './commands/smoke.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';
import { redactorFor } from '../report/redactor.js';

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

/** Runs the cas CLI on `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const parser = yargs(glueDashValues(argv))
    .scriptName('cas')
    .usage('$0 <command> [options]\n\nDrive `codex app-server` at scale.')
    .command('run', 'Run one method across N isolated app-server instances and report', runBuilder, async (args) => {
      exitCode = await runRun(args, io);
    })
    .command('request', 'Run one request on one instance and print its raw result JSON', requestBuilder, async (args) => {
      exitCode = await runRequest(args, io);
    })
    .command('mock-model', 'Serve a scripted Responses API model on loopback, for offline turns', mockModelBuilder, async (args) => {
      exitCode = await runMockModel(args, io);
    })
    .command('batch', 'Run a JSONL file of requests across instances; results in input order', batchBuilder, async (args) => {
      exitCode = await runBatchCommand(args, io);
    })
    .command('mine', 'List (and read) every thread of one or more homes, exactly once, resumable', mineBuilder, async (args) => {
      exitCode = await runMineCommand(args, io);
    })
    .command('smoke', 'Check that the app-server answers the core v2 methods', smokeBuilder, async (args) => {
      exitCode = await runSmokeCommand(args, io);
    })
    .command('proxy', 'One app-server behind a JSONL stream API on stdio, for orchestrators', proxyBuilder, async (args) => {
      exitCode = await runProxyCommand(args, io);
    })
    .demandCommand(1, 'name a command: run, request, batch, mine, proxy, smoke or mock-model')
    .recommendCommands()
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      if (error !== undefined && error !== null) throw error;
      throw new UsageError(message);
    })
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .help()
    .version();
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`cas: ${error.message.split('\n')[0]}\n`);
      return ExitCode.usage;
    }
    // A failure's message may quote a server's output: secrets from the environment are cut out.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    io.stderr.write(`cas: ${redactorFor({ env: process.env }).text(message)}\n`);
    if (process.env.CAS_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return ExitCode.failed;
  }
  return exitCode;
}
