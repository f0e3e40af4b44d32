import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { writeJsonAtomic } from '../instance/atomic-write.js';
import { MAX_SHARD_COUNT } from '../shard/shard-spec.js';
import { ListFiltersSchema } from './list-params.js';
import type { ListingCheck } from './listing-check.js';
import { homesOfShard } from './mine-shard.js';

/** Checkpoints bigger than this are not a cas mine's (one small record per home). */
const MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024;

const absolutePath = z.string().min(1).refine((value) => path.isAbsolute(value), { error: 'must be an absolute path' });
const count = z.number().int().nonnegative();

/** A listing check as kept in a checkpoint: its counts are required, the rest (ids, per-reason counts) kept as written. */
const CheckCountsSchema = z.looseObject({
  against: z.enum(['rollouts', 'rollouts+scan']),
  rollouts: count,
  listed: count,
  missing: count,
  unreadable: count,
  listedWithoutRollout: count,
  mismatched: count,
  agrees: z.boolean(),
});
const StoredCheckSchema = z.custom<ListingCheck>((value) => CheckCountsSchema.safeParse(value).success, { error: 'is not a listing check' });

/** Where one home's mine stands. */
export const HomeProgressSchema = z.strictObject({
  home: absolutePath,
  /** Cursor of the next page to list; every thread before it is written. null: from the start. */
  cursor: z.string().nullable(),
  /** The listing was followed to its end and every thread on it written. */
  listed: z.boolean(),
  /** Listed, checked against the rollout files, and every thread found written: nothing left to do. */
  done: z.boolean(),
  pages: count,
  /** Threads of this home in the output, whole (error lines not counted). */
  threads: count,
  /** Error lines of this home in the output (threads whose read failed). */
  failed: count,
  /** Threads to read again (their error lines were taken out of the output): a resume reads them first. */
  retry: z.array(z.string().min(1)),
  /** What checking the finished listing found (ids cut to a few): a resume of a done home reports it again. */
  check: StoredCheckSchema.nullable().optional(),
});
export type HomeProgress = z.infer<typeof HomeProgressSchema>;

/** A sharded mine's share: which shard it is, and the job's homes it was dealt its own from. */
export const MineShardSchema = z
  .strictObject({
    index: count,
    count: z.number().int().min(1).max(MAX_SHARD_COUNT),
    jobId: z.string().nullable(),
    /** Every home of the job, in the order every shard was given them. */
    homes: z.array(z.string().min(1)).min(1),
  })
  .refine((shard) => shard.index < shard.count, { error: 'shard.index must be below shard.count', path: ['index'] });
export type MineShardRecord = z.infer<typeof MineShardSchema>;

/** Everything needed to continue a mine: what it mines, where it writes, how far each home got. */
export const MineCheckpointSchema = z
  .strictObject({
    version: z.literal(2),
    out: absolutePath,
    read: z.boolean(),
    items: z.enum(['full', 'summary', 'none']),
    pageSize: z.number().int().min(1).max(100),
    listing: z.enum(['index', 'scan']),
    filters: ListFiltersSchema,
    /** ISO time: only threads updated at or after it (--since). */
    since: z.iso.datetime().nullable(),
    /** ISO time the listing began (the first run's, when resumed): a later `--since <this checkpoint>` starts here. */
    listingStartedAt: z.iso.datetime(),
    homes: z.array(HomeProgressSchema).min(1),
    /** With --shard: which share of the job this mine is (absent: the whole job). */
    shard: MineShardSchema.optional(),
    updatedAt: z.string(),
  })
  .refine((value) => new Set(value.homes.map((home) => home.home)).size === value.homes.length, { error: 'names a home twice', path: ['homes'] });
export type MineCheckpoint = z.infer<typeof MineCheckpointSchema>;

/**
 * Reads and fully validates a checkpoint (nothing is touched before this passes); a one-line
 * error says what is wrong with it.
 */
export async function loadCheckpoint(file: string): Promise<MineCheckpoint> {
  let text: string;
  try {
    const info = await lstat(file);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_CHECKPOINT_BYTES) throw new Error('too big to be a cas mine checkpoint');
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not a JSON checkpoint');
  }
  if (typeof value === 'object' && value !== null && (value as { version?: unknown }).version === 1) {
    throw new Error('written by an earlier cas (checkpoint version 1): start the mine again');
  }
  const parsed = MineCheckpointSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a cas mine checkpoint (${issue?.path.join('.') || 'root'}: ${issue?.message})`);
  }
  const checkpoint = parsed.data;
  if (path.resolve(checkpoint.out) === path.resolve(file)) throw new Error('its output is the checkpoint itself');
  if (checkpoint.homes.some((home) => home.done && !home.listed)) throw new Error('not a cas mine checkpoint (a home is done but not listed)');
  if (checkpoint.shard !== undefined) {
    const own = homesOfShard(checkpoint.shard.homes, checkpoint.shard).map((home) => home.home);
    if (own.length !== checkpoint.homes.length || own.some((home, index) => checkpoint.homes[index]!.home !== home)) {
      throw new Error(`not a cas mine checkpoint (its homes are not shard ${checkpoint.shard.index}/${checkpoint.shard.count}'s share of the job's)`);
    }
  }
  return checkpoint;
}

/** Saves a checkpoint atomically, so a crash leaves the previous one whole. */
export async function saveCheckpoint(file: string, checkpoint: Omit<MineCheckpoint, 'updatedAt'>): Promise<void> {
  await writeJsonAtomic(file, { ...checkpoint, updatedAt: new Date().toISOString() });
}
