import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../instance/atomic-write.js';

/** Where one home's listing stands. */
export const HomeProgressSchema = z.object({
  home: z.string(),
  /** Cursor of the next page to list; every thread before it is written. null: from the start. */
  cursor: z.string().nullable(),
  /** The last page has been listed and all its threads written. */
  done: z.boolean(),
  pages: z.number().int().nonnegative(),
  threads: z.number().int().nonnegative(),
});
export type HomeProgress = z.infer<typeof HomeProgressSchema>;

/** Everything needed to continue a mine: what it mines, where it writes, how far each home got. */
export const MineCheckpointSchema = z.object({
  version: z.literal(1),
  out: z.string(),
  read: z.boolean(),
  pageSize: z.number().int().positive(),
  filters: z.record(z.string(), z.unknown()),
  homes: z.array(HomeProgressSchema).min(1),
  updatedAt: z.string(),
});
export type MineCheckpoint = z.infer<typeof MineCheckpointSchema>;

/** Reads a checkpoint; a one-line error says what is wrong with it. */
export async function loadCheckpoint(file: string): Promise<MineCheckpoint> {
  let text: string;
  try {
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
  const parsed = MineCheckpointSchema.safeParse(value);
  if (!parsed.success) throw new Error(`not a cas mine checkpoint (${parsed.error.issues[0]?.path.join('.') || 'root'}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/** Saves a checkpoint atomically, so a crash leaves the previous one whole. */
export async function saveCheckpoint(file: string, checkpoint: Omit<MineCheckpoint, 'updatedAt'>): Promise<void> {
  await writeJsonAtomic(file, { ...checkpoint, updatedAt: new Date().toISOString() });
}
