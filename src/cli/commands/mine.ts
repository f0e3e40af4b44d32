import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { z } from 'zod';
import { writeJsonAtomic } from '../../instance/atomic-write.js';
import { INDEX_PLACEHOLDER } from '../../instance/codex-home.js';
import { loadCheckpoint, type MineCheckpoint } from '../../mine/checkpoint.js';
import type { ListFilters } from '../../mine/list-params.js';
import { runMine } from '../../mine/run-mine.js';
import { formatMineSummary } from '../../report/human-summary.js';
import type { CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';
import { handleInterrupts } from '../interrupts.js';
import { repeatedString, singleString, slots, positiveInt } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { WorkloadSessionFlagsSchema, withWorkloadSessionOptions } from '../options/session-options.js';
import { validate } from '../options/validate.js';
import { resolveWorkloadOptions } from '../options/workload-options.js';
import { MockModelFlagsSchema, withMockModelOptions } from '../options/mock-model-options.js';
import { policyFlagsSchema, withPolicyOptions } from '../options/policy-options.js';
import { createProgressDisplay } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';
import type { ServerTarget } from '../../instance/server-target.js';

const MINE = 'Mine:';
const FILTERS = 'thread/list filters:';

/** `cas mine` flags: the session flags, with --codex-home naming the homes to mine. */
export function mineBuilder<T>(yargs: Argv<T>) {
  return withPolicyOptions(withMockModelOptions(withWorkloadSessionOptions(yargs)))
    .option('codex-home', { type: 'string', group: MINE, describe: 'A CODEX_HOME to mine (repeatable; with {i} and --homes N, N of them)' })
    .option('homes', { type: 'number', group: MINE, describe: 'How many homes {i} in --codex-home stands for (0..N-1)' })
    .option('instances', { alias: 'n', type: 'number', default: 1, group: MINE, describe: 'App-servers per home' })
    .option('concurrency', { type: 'number', default: 8, group: MINE, describe: 'thread/read requests in flight per instance (--read)' })
    .option('read', { type: 'boolean', default: false, group: MINE, describe: 'Write each thread whole: thread/read with includeTurns' })
    .option('out', { alias: 'o', type: 'string', group: MINE, describe: 'Write the JSONL here (default stdout); keeps a checkpoint beside it' })
    .option('checkpoint', { type: 'string', group: MINE, describe: 'Checkpoint file (default <out>.checkpoint)' })
    .option('resume', { type: 'string', group: MINE, describe: 'Continue the mine this checkpoint belongs to (homes, filters and output come from it)' })
    .option('report', { type: 'string', group: MINE, describe: 'Write the JSON summary report to this file' })
    .option('progress', { type: 'boolean', default: true, group: MINE, describe: 'Progress bar on stderr when it is a terminal (--no-progress)' })
    .option('page-size', { type: 'number', default: 100, group: FILTERS, describe: 'Threads per thread/list page (1 to 100)' })
    .option('archived', { type: 'boolean', group: FILTERS, describe: 'Archived threads only' })
    .option('source-kinds', { type: 'string', group: FILTERS, describe: 'Source kinds, comma-separated or repeated (default: interactive sources)' })
    .option('model-providers', { type: 'string', group: FILTERS, describe: 'Model providers, comma-separated or repeated' })
    .option('cwd-filter', { type: 'string', group: FILTERS, describe: 'Only threads whose cwd is this path (repeatable)' })
    .option('search-term', { type: 'string', group: FILTERS, describe: 'Substring of the thread title' })
    .option('sort-key', { type: 'string', group: FILTERS, describe: 'created_at (default), updated_at or recency_at; always oldest first' })
    .option('state-db-only', { type: 'boolean', default: false, group: FILTERS, describe: "List from the server's SQLite index without scanning rollout files (much faster; misses rollouts the index lacks)" });
}

const MineOptionsSchema = WorkloadSessionFlagsSchema.extend(policyFlagsSchema(false).shape).extend(MockModelFlagsSchema.shape).extend({
  codexHome: repeatedString,
  homes: slots.optional(),
  instances: slots,
  concurrency: slots,
  read: z.boolean(),
  out: singleString.optional(),
  checkpoint: singleString.optional(),
  resume: singleString.optional(),
  report: singleString.optional(),
  progress: z.boolean(),
  pageSize: positiveInt.max(100, { error: 'must be at most 100' }),
  archived: z.boolean().optional(),
  sourceKinds: repeatedString,
  modelProviders: repeatedString,
  cwdFilter: repeatedString,
  searchTerm: singleString.optional(),
  sortKey: z.enum(['created_at', 'updated_at', 'recency_at'], { error: 'must be created_at, updated_at or recency_at' }).optional(),
  stateDbOnly: z.boolean(),
});
type MineFlags = z.infer<typeof MineOptionsSchema>;

/** A comma-separated or repeated list flag, flattened. */
function list(values: string[]): string[] | undefined {
  const items = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0);
  return items.length === 0 ? undefined : items;
}

/** The homes to mine: each must be an existing directory (mining never creates one); with --connect, the servers' URLs stand for their homes. */
async function homesOf(flags: MineFlags, target: ServerTarget): Promise<string[]> {
  if (target.mode === 'connect') {
    if (flags.codexHome.length > 0) throw new UsageError('--codex-home names homes for servers cas starts; with --connect each server mines its own home');
    return [...new Set(target.endpoints.map((endpoint) => endpoint.display))];
  }
  if (flags.codexHome.length === 0) throw new UsageError('--codex-home is required: name the home(s) to mine');
  const homes = flags.codexHome.flatMap((home) => {
    if (!home.includes(INDEX_PLACEHOLDER)) return [home];
    if (flags.homes === undefined) throw new UsageError(`--codex-home ${home} has {i}: say how many homes with --homes N`);
    return Array.from({ length: flags.homes }, (_, index) => home.replaceAll(INDEX_PLACEHOLDER, String(index)));
  });
  for (const home of homes) {
    const isDir = await stat(home).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new UsageError(`--codex-home ${home}: no such directory (mining never creates a home)`);
  }
  return [...new Set(homes.map((home) => path.resolve(home)))];
}

function filtersOf(flags: MineFlags): ListFilters {
  const cwd = flags.cwdFilter.length === 0 ? undefined : flags.cwdFilter.length === 1 ? flags.cwdFilter[0] : flags.cwdFilter;
  return {
    archived: flags.archived,
    sourceKinds: list(flags.sourceKinds),
    modelProviders: list(flags.modelProviders),
    cwd,
    searchTerm: flags.searchTerm,
    sortKey: flags.sortKey,
    stateDbOnly: flags.stateDbOnly || undefined,
  };
}

/** What to mine: from the flags, or (with --resume) from the checkpoint, which the flags may not contradict. */
async function plan(flags: MineFlags, target: ServerTarget): Promise<{ homes: string[]; filters: ListFilters; read: boolean; pageSize: number; out: string | undefined; checkpoint: string | undefined; resume: MineCheckpoint | undefined }> {
  if (flags.resume === undefined) {
    const homes = await homesOf(flags, target);
    const checkpoint = flags.checkpoint ?? (flags.out === undefined ? undefined : `${flags.out}.checkpoint`);
    if (flags.checkpoint !== undefined && flags.out === undefined) throw new UsageError('--checkpoint needs --out: a mine to stdout cannot be resumed');
    const out = flags.out === undefined ? undefined : path.resolve(flags.out);
    return { homes, filters: filtersOf(flags), read: flags.read, pageSize: flags.pageSize, out, checkpoint, resume: undefined };
  }
  let saved: MineCheckpoint;
  try {
    saved = await loadCheckpoint(flags.resume);
  } catch (error) {
    throw new UsageError(`--resume ${flags.resume}: ${(error as Error).message}`);
  }
  for (const flag of ['codexHome', 'out', 'searchTerm', 'sortKey', 'archived'] as const) {
    const value = flags[flag];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      throw new UsageError(`--resume takes the homes, filters and output from the checkpoint: drop --${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    }
  }
  if (saved.out === '-') throw new UsageError(`--resume ${flags.resume}: that mine wrote to stdout and cannot be resumed`);
  const servers = target.mode === 'connect' ? target.endpoints.map((endpoint) => endpoint.display) : undefined;
  if (servers !== undefined ? saved.homes.some((home) => !servers.includes(home.home)) : saved.homes.some((home) => /^(ws|wss|unix):\/\//.test(home.home))) {
    throw new UsageError(`--resume ${flags.resume}: give --connect for each server that mine read (${saved.homes.map((home) => home.home).join(', ')}), and only those`);
  }
  return {
    homes: saved.homes.map((home) => home.home),
    filters: saved.filters as ListFilters,
    read: saved.read,
    pageSize: saved.pageSize,
    out: saved.out,
    checkpoint: flags.resume,
    resume: saved,
  };
}

/** `cas mine`: every thread of every home, exactly once, as JSONL. Returns the exit code. */
export async function runMineCommand(argv: Record<string, unknown>, io: CliIo): Promise<number> {
  const flags = validate(MineOptionsSchema, argv);
  const session = await resolveWorkloadOptions({ ...flags, codexHome: undefined }, false);
  const mine = await plan(flags, session.target);
  if (mine.out !== undefined) await checkWritableTarget(mine.out, '--out');
  if (flags.report !== undefined) await checkWritableTarget(flags.report, '--report');
  const interrupts = handleInterrupts(io.stderr);
  const progress = createProgressDisplay(flags.progress);
  let report;
  try {
    report = await runMine({
      ...session,
      target: perHome(session.target, mine.homes, flags.instances),
      homes: mine.homes,
      instancesPerHome: flags.instances,
      concurrency: flags.concurrency,
      read: mine.read,
      filters: mine.filters,
      pageSize: mine.pageSize,
      output: mine.out === undefined ? { stream: io.stdout as Writable } : { file: mine.out },
      checkpointFile: mine.checkpoint,
      resume: mine.resume,
      signal: interrupts.signal,
      onProgress: (snapshot) =>
        progress.update({
          phase: snapshot.phase,
          done: mine.read ? snapshot.read : snapshot.listed,
          total: mine.read ? snapshot.listed : undefined,
          failed: snapshot.failed,
          elapsedMs: snapshot.elapsedMs,
          durationMs: undefined,
        }),
    });
  } finally {
    progress.stop();
    interrupts.dispose();
  }
  report = session.redactor.value(report);
  if (flags.report !== undefined) await writeJsonAtomic(flags.report, report);
  io.stderr.write(formatMineSummary(report));
  if (interrupts.exitCode !== undefined) return interrupts.exitCode;
  const unfinished = report.homes.some((home) => !home.done);
  return unfinished || report.requests.failed > 0 || report.instances.failed.length > 0 ? ExitCode.failed : ExitCode.ok;
}

/** With --connect, the instances of each home (server) connect to it: `instances` connections per URL, in the order of the homes. */
function perHome(target: ServerTarget, homes: readonly string[], instances: number): ServerTarget {
  if (target.mode !== 'connect') return target;
  const byDisplay = new Map(target.endpoints.map((endpoint) => [endpoint.display, endpoint]));
  return { ...target, endpoints: homes.flatMap((home) => Array.from({ length: instances }, () => byDisplay.get(home)!)) };
}
