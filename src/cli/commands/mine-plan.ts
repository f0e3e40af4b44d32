import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { INDEX_PLACEHOLDER } from '../../instance/codex-home.js';
import { loadCheckpoint, type MineCheckpoint } from '../../mine/checkpoint.js';
import { ALL_SOURCE_KINDS, type ListFilters, type ListingMode } from '../../mine/list-params.js';
import { resolveSince } from '../../mine/since.js';
import type { ItemsMode } from '../../mine/thread-reader.js';
import { positiveInt, repeatedString, singleString, slots } from '../options/flag-schemas.js';
import { checkWritableTarget } from '../options/output-target.js';
import { WorkloadSessionFlagsSchema } from '../options/session-options.js';
import { ServerStatsFlagsSchema } from '../options/server-stats-options.js';
import { BudgetFlagsSchema } from '../options/budget-options.js';
import { MockModelFlagsSchema } from '../options/mock-model-options.js';
import { policyFlagsSchema } from '../options/policy-options.js';
import { UsageError } from '../usage-error.js';
import type { ServerTarget } from '../../instance/server-target.js';
import { isServerUrl } from '../../transport/endpoint.js';
import { ShardFlagsSchema } from '../options/shard-options.js';
import { describeShard, WHOLE_JOB, type Shard } from '../../shard/shard-spec.js';

export const MineOptionsSchema = WorkloadSessionFlagsSchema.extend(policyFlagsSchema(false).shape).extend(MockModelFlagsSchema.shape).extend(ServerStatsFlagsSchema.shape).extend(BudgetFlagsSchema.shape).extend(ShardFlagsSchema.shape).extend({
  codexHome: repeatedString,
  homes: slots.optional(),
  instances: slots,
  concurrency: slots,
  read: z.boolean(),
  items: z.enum(['full', 'summary', 'none'], { error: 'must be full, summary or none' }).optional(),
  historyPageSize: positiveInt.max(1000, { error: 'must be at most 1000' }),
  out: singleString.optional(),
  checkpoint: singleString.optional(),
  resume: singleString.optional(),
  force: z.boolean(),
  report: singleString.optional(),
  progress: z.boolean(),
  since: singleString.optional(),
  verify: z.boolean(),
  listing: z.enum(['index', 'scan'], { error: 'must be index or scan' }).optional(),
  pageSize: positiveInt.max(100, { error: 'must be at most 100' }),
  archived: z.boolean().optional(),
  sourceKinds: repeatedString,
  modelProviders: repeatedString,
  cwdFilter: repeatedString,
  searchTerm: singleString.optional(),
  sortKey: z.enum(['created_at', 'updated_at', 'recency_at'], { error: 'must be created_at, updated_at or recency_at' }).optional(),
  stateDbOnly: z.boolean(),
});
export type MineFlags = z.infer<typeof MineOptionsSchema>;

/** What a `cas mine` will do, every input checked before anything is touched. */
export interface MinePlan {
  /** The job's homes (with `shard`, every shard's: the shard mines its share of them). */
  homes: string[];
  /** With --shard (or a resumed shard's checkpoint): which share of the job this mine is. */
  shard: Shard | undefined;
  filters: ListFilters;
  read: boolean;
  items: ItemsMode;
  pageSize: number;
  listing: ListingMode;
  sinceMs: number | undefined;
  out: string | undefined;
  checkpoint: string | undefined;
  resume: MineCheckpoint | undefined;
}

/** A comma-separated or repeated list flag, flattened. */
function list(values: string[]): string[] | undefined {
  const items = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value.length > 0);
  return items.length === 0 ? undefined : items;
}

const flagName = (flag: string) => `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Each home must be an existing directory: mining never creates one. */
async function checkHomes(homes: readonly string[], flag: string): Promise<void> {
  for (const home of homes) {
    const isDir = await stat(home).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new UsageError(`${flag} ${home}: no such directory (mining never creates a home)`);
  }
}

/** The homes to mine, from --codex-home (and {i} with --homes); with --connect, the servers' URLs stand for their homes. */
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
  await checkHomes(homes, '--codex-home');
  return [...new Set(homes.map((home) => path.resolve(home)))];
}

function filtersOf(flags: MineFlags): ListFilters {
  const kinds = list(flags.sourceKinds);
  const unknown = kinds?.find((kind) => !(ALL_SOURCE_KINDS as readonly string[]).includes(kind));
  if (unknown !== undefined) throw new UsageError(`--source-kinds ${unknown}: not a source kind (${ALL_SOURCE_KINDS.join(', ')})`);
  const cwd = flags.cwdFilter.length === 0 ? undefined : flags.cwdFilter.length === 1 ? flags.cwdFilter[0] : flags.cwdFilter;
  const filters: ListFilters = {
    archived: flags.archived,
    sourceKinds: kinds as ListFilters['sourceKinds'],
    modelProviders: list(flags.modelProviders),
    cwd,
    searchTerm: flags.searchTerm,
    sortKey: flags.sortKey,
  };
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as ListFilters;
}

/** True when a path holds something: a file with content, or anything that is not a file. */
async function holdsSomething(file: string): Promise<boolean> {
  const info = await lstat(file).catch(() => undefined);
  return info !== undefined && (!info.isFile() || info.size > 0);
}

/** A new mine: from the flags; an earlier mine's output is never replaced without --force. */
async function planNew(flags: MineFlags, target: ServerTarget, shard: Shard | undefined): Promise<MinePlan> {
  const homes = await homesOf(flags, target);
  if (flags.checkpoint !== undefined && flags.out === undefined) throw new UsageError('--checkpoint needs --out: a mine to stdout cannot be resumed');
  if (flags.items !== undefined && !flags.read) throw new UsageError('--items applies to --read: add --read');
  if (flags.stateDbOnly && flags.listing === 'scan') throw new UsageError('--state-db-only and --listing scan contradict each other');
  const out = flags.out === undefined ? undefined : path.resolve(flags.out);
  const checkpoint = flags.checkpoint !== undefined ? path.resolve(flags.checkpoint) : out === undefined ? undefined : `${out}.checkpoint`;
  if (out !== undefined) {
    await checkWritableTarget(out, '--out');
    if (!flags.force && ((await holdsSomething(out)) || (checkpoint !== undefined && (await holdsSomething(checkpoint))))) {
      const resume = checkpoint !== undefined && (await holdsSomething(checkpoint)) ? `continue it with --resume ${checkpoint}, or ` : '';
      throw new UsageError(`--out ${flags.out}: an earlier output is there; ${resume}pass --force to start over`);
    }
  }
  const since = flags.since === undefined ? undefined : (await resolveSince(flags.since)).ms;
  return { homes, shard, filters: filtersOf(flags), read: flags.read, items: flags.items ?? 'full', pageSize: flags.pageSize, listing: flags.listing ?? 'index', sinceMs: since, out, checkpoint, resume: undefined };
}

/** Flags a resume takes from its checkpoint instead. */
const FROM_CHECKPOINT = ['homes', 'out', 'checkpoint', 'searchTerm', 'sortKey', 'archived', 'items', 'since', 'listing'] as const;
const LISTS_FROM_CHECKPOINT = ['codexHome', 'sourceKinds', 'modelProviders', 'cwdFilter'] as const;

/** A resume: everything from the checkpoint, validated whole before the output is touched. */
async function planResume(flags: MineFlags, file: string, target: ServerTarget, shard: Shard | undefined): Promise<MinePlan> {
  for (const flag of FROM_CHECKPOINT) if (flags[flag] !== undefined) throw new UsageError(`--resume takes the homes, filters and output from the checkpoint: drop ${flagName(flag)}`);
  for (const flag of LISTS_FROM_CHECKPOINT) if (flags[flag].length > 0) throw new UsageError(`--resume takes the homes, filters and output from the checkpoint: drop ${flagName(flag)}`);
  if (flags.read || flags.stateDbOnly) throw new UsageError(`--resume takes the homes, filters and output from the checkpoint: drop ${flags.read ? '--read' : '--state-db-only'}`);
  let saved: MineCheckpoint;
  try {
    saved = await loadCheckpoint(file);
  } catch (error) {
    throw new UsageError(`--resume ${file}: ${(error as Error).message}`);
  }
  const savedShard = resumedShard(saved, file, flags, shard);
  const jobHomes = saved.shard?.homes ?? saved.homes.map((home) => home.home);
  const servers = target.mode === 'connect' ? target.endpoints.map((endpoint) => endpoint.display) : undefined;
  if (servers !== undefined ? jobHomes.some((home) => !servers.includes(home)) : saved.homes.some((home) => isServerUrl(home.home))) {
    throw new UsageError(`--resume ${file}: give --connect for each server that mine read (${jobHomes.join(', ')}), and only those`);
  }
  if (servers === undefined) await checkHomes(saved.homes.map((home) => home.home), `--resume ${file}: home`);
  const out = await lstat(saved.out).catch(() => undefined);
  if (out !== undefined && !out.isFile()) throw new UsageError(`--resume ${file}: its output ${saved.out} is not a regular file`);
  if (out === undefined && saved.homes.some((home) => home.threads > 0 || home.pages > 0)) throw new UsageError(`--resume ${file}: its output ${saved.out} is missing`);
  await checkWritableTarget(saved.out, '--resume output');
  return {
    homes: jobHomes,
    shard: savedShard,
    filters: saved.filters,
    read: saved.read,
    items: saved.items,
    pageSize: saved.pageSize,
    listing: saved.listing,
    sinceMs: saved.since === null ? undefined : Date.parse(saved.since),
    out: saved.out,
    checkpoint: path.resolve(file),
    resume: saved,
  };
}

/** A resume is the shard its checkpoint was: `--shard` may say so again, never name another. */
function resumedShard(saved: MineCheckpoint, file: string, flags: MineFlags, shard: Shard | undefined): Shard | undefined {
  const was = saved.shard === undefined ? WHOLE_JOB : { index: saved.shard.index, count: saved.shard.count, jobId: saved.shard.jobId };
  if (shard !== undefined && (shard.index !== was.index || shard.count !== was.count)) {
    throw new UsageError(`--resume ${file}: that mine was shard ${describeShard(was)}, not ${shard.index}/${shard.count}: resume it as that shard (drop --shard: the checkpoint knows it)`);
  }
  if (flags.jobId !== undefined && flags.jobId !== was.jobId) {
    throw new UsageError(`--resume ${file}: that mine was of ${was.jobId === null ? 'no job id' : `job ${was.jobId}`}, not --job-id ${flags.jobId}`);
  }
  return saved.shard === undefined ? undefined : was;
}

/** What to mine: from the flags, or (with --resume) from the checkpoint, which the flags may not contradict. */
export function planMine(flags: MineFlags, target: ServerTarget, shard?: Shard): Promise<MinePlan> {
  return flags.resume === undefined ? planNew(flags, target, shard) : planResume(flags, flags.resume, target, shard);
}
