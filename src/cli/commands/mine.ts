import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { MineInputError } from '../../mine/mine-input-error.js';
import { runMine, type MineReport } from '../../mine/run-mine.js';
import { formatMineSummary } from '../../report/human-summary.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { withWorkloadSessionOptions } from '../options/session-options.js';
import { withServerStatsOption } from '../options/server-stats-options.js';
import { checkFiles, lockOutput } from '../options/output-files.js';
import { writeReportFile } from '../write-report.js';
import { validate } from '../options/validate.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { withMockModelOptions } from '../options/mock-model-options.js';
import { withPolicyOptions } from '../options/policy-options.js';
import { withBudgetOptions } from '../options/budget-options.js';
import { createProgressDisplay } from '../progress/progress-display.js';
import { mineSampler } from '../progress/progress-sampler.js';
import { UsageError } from '../usage-error.js';
import { MineOptionsSchema, planMine } from './mine-plan.js';
import type { ServerTarget } from '../../instance/server-target.js';
import { resolveShardFlags, withShardOptions } from '../options/shard-options.js';
import { homesOfShard } from '../../mine/mine-shard.js';
import { mineIsWhole } from '../../mine/mine-report.js';
import { WHOLE_JOB } from '../../shard/shard-spec.js';

const MINE = 'Mine:';
const FILTERS = 'thread/list filters:';

/** `cas mine` flags: the session flags, with --codex-home naming the homes to mine. */
export function mineBuilder<T>(yargs: Argv<T>) {
  return withShardOptions(withBudgetOptions(withServerStatsOption(withPolicyOptions(withMockModelOptions(withWorkloadSessionOptions(yargs))))))
    .option('codex-home', { type: 'string', group: MINE, describe: 'A CODEX_HOME to mine (repeatable; with {i} and --homes N, N of them)' })
    .option('homes', { type: 'number', group: MINE, describe: 'How many homes {i} in --codex-home stands for (0..N-1)' })
    .option('instances', { alias: 'n', type: 'number', default: 1, group: MINE, describe: 'App-servers per home; reads are spread over them' })
    .option('concurrency', { type: 'number', default: 8, group: MINE, describe: 'Threads read at once per instance (--read)' })
    .option('read', { type: 'boolean', default: false, group: MINE, describe: 'Write each thread with its turns and items (paged with thread/turns/list and thread/items/list)' })
    .option('items', { type: 'string', group: MINE, describe: 'With --read: full (default), summary or none: the items written with each turn' })
    .option('history-page-size', { type: 'number', default: 100, group: MINE, describe: 'Turns or items per thread/turns/list or thread/items/list page (--read)' })
    .option('out', { alias: 'o', type: 'string', group: MINE, describe: 'Write the JSONL here (default stdout); keeps a checkpoint beside it' })
    .option('checkpoint', { type: 'string', group: MINE, describe: 'Checkpoint file (default <out>.checkpoint)' })
    .option('resume', { type: 'string', group: MINE, describe: 'Continue the mine this checkpoint belongs to (homes, filters and output come from it)' })
    .option('force', { type: 'boolean', default: false, group: MINE, describe: 'Replace an earlier output at --out (and its checkpoint) instead of refusing' })
    .option('report', { type: 'string', group: MINE, describe: 'Write the JSON summary report to this file' })
    .option('since', { type: 'string', group: MINE, describe: 'Only threads created or updated at or after this ISO 8601 time, or since the listing of this earlier checkpoint or report began' })
    .option('verify', { type: 'boolean', default: false, group: MINE, describe: "Also compare with the server's scan listing and every rollout's session_meta; report every difference" })
    .option('listing', { type: 'string', group: MINE, describe: "index (default: the server's SQLite index, fast) or scan (the server reads rollout files; stops at 10,000 on codex 0.169.0)" })
    .option('progress', { type: 'boolean', default: true, group: MINE, describe: 'Live progress on stderr when it is a terminal: each home listed/read/written, rate, ETA (--no-progress: none)' })
    .option('page-size', { type: 'number', default: 100, group: FILTERS, describe: 'Threads per thread/list page (1 to 100)' })
    .option('archived', { type: 'boolean', group: FILTERS, describe: 'Archived threads only (from archived_sessions/)' })
    .option('source-kinds', { type: 'string', group: FILTERS, describe: 'Source kinds, comma-separated or repeated (default: every kind)' })
    .option('model-providers', { type: 'string', group: FILTERS, describe: 'Model providers, comma-separated or repeated (default: every provider)' })
    .option('cwd-filter', { type: 'string', group: FILTERS, describe: 'Only threads whose cwd is this path (repeatable)' })
    .option('search-term', { type: 'string', group: FILTERS, describe: 'Substring of the thread title' })
    .option('sort-key', { type: 'string', group: FILTERS, describe: 'created_at (default), updated_at or recency_at; always oldest first' })
    .option('state-db-only', { type: 'boolean', default: false, group: FILTERS, hidden: true, describe: 'Same as --listing index (the default now)' });
}

/** Exit 0 only when every home was mined to the end, its listing agreed with its rollouts, and every read worked. */
export function mineExitCode(report: MineReport): number {
  return mineIsWhole(report) ? ExitCode.ok : ExitCode.failed;
}

/** `cas mine`: every thread of every home, exactly once, as JSONL. Returns the exit code. */
export async function runMineCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const flags = validate(MineOptionsSchema, argv);
  const session = await resolveWorkloadOptions({ ...flags, codexHome: undefined }, false);
  const shard = resolveShardFlags(flags);
  let mine;
  try {
    mine = await planMine(flags, session.target, shard);
  } catch (error) {
    throw error instanceof MineInputError ? new UsageError(error.message) : error;
  }
  const named = (flag: string, file: string | undefined) => (file === undefined ? undefined : { flag, file });
  await checkFiles([named('--out', mine.out), named('--checkpoint', mine.checkpoint), named('--report', flags.report)]);
  // Two mines writing one output would write every thread twice: one at a time.
  const lock = mine.out === undefined ? undefined : await lockOutput({ flag: '--out', file: mine.out });
  const progress = createProgressDisplay(flags.progress, mineSampler(flags.instances));
  // A signal's notice is written above the display, not glued onto it.
  const interrupts = handleInterrupts(progress.above(io.stderr));
  let report;
  try {
    report = await runMine({
      ...session,
      homes: mine.homes,
      shard: mine.shard,
      instancesPerHome: flags.instances,
      concurrency: flags.concurrency,
      read: mine.read,
      items: mine.items,
      historyPageSize: flags.historyPageSize,
      filters: mine.filters,
      pageSize: mine.pageSize,
      listing: mine.listing,
      sinceMs: mine.sinceMs,
      verify: flags.verify,
      serverStats: flags.serverStats,
      target: perHome(session.target, homesOfShard(mine.homes, mine.shard ?? WHOLE_JOB).map((home) => home.home), flags.instances),
      output: mine.out === undefined ? { stream: io.stdout as Writable } : { file: mine.out },
      checkpointFile: mine.checkpoint,
      resume: mine.resume,
      signal: interrupts.signal,
      onProgress: (snapshot) => progress.update(snapshot),
    });
  } catch (error) {
    throw error instanceof MineInputError ? new UsageError(`${mine.resume === undefined ? '--out' : `--resume ${flags.resume}: output`} ${mine.out}: ${error.message}`) : error;
  } finally {
    progress.stop();
    interrupts.dispose();
    await lock?.release();
  }
  report = session.redactor.value(report);
  const reportOk = await writeReportFile(flags.report, report, '--report', io);
  io.stderr.write(formatMineSummary(report));
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  return reportOk ? mineExitCode(report) : ExitCode.failed;
}

/** With --connect, the instances of each home (server) connect to it: `instances` connections per URL, in the order of the homes. */
function perHome(target: ServerTarget, homes: readonly string[], instances: number): ServerTarget {
  if (target.mode !== 'connect') return target;
  const byDisplay = new Map(target.endpoints.map((endpoint) => [endpoint.display, endpoint]));
  return { ...target, endpoints: homes.flatMap((home) => Array.from({ length: instances }, () => byDisplay.get(home)!)) };
}
