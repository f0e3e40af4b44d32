import type { Argv } from 'yargs';
import type { CliIo } from './cli-io.js';

/** What a command module provides once loaded: its flags and what it does. */
export interface LoadedCommand {
  /** Declares the command's flags (and only those it uses). */
  builder(yargs: Argv): Argv;
  /** Runs it with the parsed flags; resolves with the exit code. */
  handler(argv: Record<string, unknown>, io: CliIo): Promise<number>;
}

/** A command as the top level knows it: a name and a line of help; its module loads only when it runs. */
export interface CommandEntry {
  name: string;
  /** Other names that run the same command (e.g. the original cas's). */
  aliases?: readonly string[];
  /** Its positional arguments, in yargs' notation (`<file>`, `<a> <b>`, `<files..>`), if it takes any. */
  positionals?: string;
  describe: string;
  load(): Promise<LoadedCommand>;
}

/** Every cas command, in the order `cas --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    // The original cas's runner (its Zig port's subcommand names).
    aliases: ['instance_runner', 'instance-runner'],
    describe: 'Run one method across N isolated app-server instances and report',
    load: async () => {
      const { runBuilder, runRun } = await import('./commands/run.js');
      return { builder: runBuilder, handler: runRun };
    },
  },
  {
    name: 'request',
    describe: 'Run one request on one instance and print its raw result JSON',
    load: async () => {
      const { requestBuilder, runRequest } = await import('./commands/request.js');
      return { builder: requestBuilder, handler: runRequest };
    },
  },
  {
    name: 'batch',
    describe: 'Run a JSONL file of requests across instances; results in input order',
    load: async () => {
      const { batchBuilder, runBatchCommand } = await import('./commands/batch.js');
      return { builder: batchBuilder, handler: runBatchCommand };
    },
  },
  {
    name: 'mine',
    describe: 'List (and read) every thread of one or more homes, exactly once, resumable',
    load: async () => {
      const { mineBuilder, runMineCommand } = await import('./commands/mine.js');
      return { builder: mineBuilder, handler: runMineCommand };
    },
  },
  {
    name: 'merge',
    positionals: '<files..>',
    describe: 'Merge the reports (or --batch / --mine outputs) of a job\'s shards into one, exactly',
    load: async () => {
      const { mergeBuilder, runMergeCommand } = await import('./commands/merge.js');
      return { builder: mergeBuilder, handler: runMergeCommand };
    },
  },
  {
    name: 'report',
    positionals: '<file>',
    describe: 'Print the summary of any cas report; write it as one self-contained HTML page (--html) or its timeline as CSV (--csv)',
    load: async () => {
      const { reportBuilder, runReportCommand } = await import('./commands/report.js');
      return { builder: reportBuilder, handler: runReportCommand };
    },
  },
  {
    name: 'compare',
    positionals: '<a> <b>',
    describe: 'Compare two reports: throughput, percentiles, error and overload rates, B/A, and whether each difference is beyond noise',
    load: async () => {
      const { compareBuilder, runCompareCommand } = await import('./commands/compare.js');
      return { builder: compareBuilder, handler: runCompareCommand };
    },
  },
  {
    name: 'proxy',
    describe: 'One app-server behind a JSONL stream API on stdio, for orchestrators',
    load: async () => {
      const { proxyBuilder, runProxyCommand } = await import('./commands/proxy.js');
      return { builder: proxyBuilder, handler: runProxyCommand };
    },
  },
  {
    name: 'rate-limits',
    aliases: ['rate_limits'],
    describe: "Read the account's rate limits as a pacing budget (tier per window and overall)",
    load: async () => {
      const { rateLimitsBuilder, runRateLimitsCommand } = await import('./commands/rate-limits.js');
      return { builder: rateLimitsBuilder, handler: runRateLimitsCommand };
    },
  },
  {
    name: 'smoke',
    aliases: ['smoke_check', 'smoke-check'],
    describe: 'Check that the app-server answers the core v2 methods',
    load: async () => {
      const { smokeBuilder, runSmokeCommand } = await import('./commands/smoke.js');
      return { builder: smokeBuilder, handler: runSmokeCommand };
    },
  },
  {
    name: 'mock-model',
    describe: 'Serve a scripted Responses API model on loopback, for offline turns',
    load: async () => {
      const { mockModelBuilder, runMockModel } = await import('./commands/mock-model.js');
      return { builder: mockModelBuilder, handler: runMockModel };
    },
  },
];

/** The command as yargs declares it: its name and positional arguments. */
export function commandSyntax(entry: CommandEntry): string {
  return entry.positionals === undefined ? entry.name : `${entry.name} ${entry.positionals}`;
}

/** The entry `name` stands for (a command's name or one of its aliases). */
export function findCommand(name: string | undefined): CommandEntry | undefined {
  if (name === undefined) return undefined;
  return COMMANDS.find((entry) => entry.name === name || entry.aliases?.includes(name));
}
