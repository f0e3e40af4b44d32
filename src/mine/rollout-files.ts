import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * A rollout file found under a home: the thread it holds, by its name. The directory string is
 * shared by its files (a joined path per file costs a chain of string pieces: tens of thousands
 * of files are held while a home is mined).
 */
export interface RolloutFile {
  id: string;
  dir: string;
  name: string;
  /** Last modification, ms since the epoch (0 unless asked for). */
  mtimeMs: number;
}

/** Where a rollout file is. */
export function rolloutPath(file: RolloutFile): string {
  return path.join(file.dir, file.name);
}

/** `rollout-<time>-<thread id>.jsonl` (what codex 0.169.0 writes under sessions/YYYY/MM/DD), maybe compressed. */
const ROLLOUT_NAME = /^rollout-.*-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl(?:\.[a-z0-9]+)?$/i;
/** sessions/YYYY/MM/DD/file: deeper trees are not codex's. */
const MAX_DEPTH = 6;
/** The first line of a rollout (its session_meta) is read up to this; a longer one is not judged here. */
const MAX_HEAD_BYTES = 4 * 1024 * 1024;

/** Where a home keeps the rollouts of live threads, or of archived ones. */
export function rolloutDir(home: string, archived: boolean): string {
  return path.join(home, archived ? 'archived_sessions' : 'sessions');
}

/**
 * Calls `onFile` for every rollout file under `dir`, read-only and by name alone (one readdir
 * per directory; a stat per file only with `mtimes`): the independent listing a mine checks the
 * server's against. Nothing is kept per file. A missing dir has none. Symbolic links are
 * followed, within a depth bound.
 */
export async function walkRollouts(dir: string, onFile: (file: RolloutFile) => void, options: { mtimes?: boolean } = {}): Promise<void> {
  const stats: Array<Promise<void>> = [];
  async function walk(at: string, depth: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if (depth === 0 && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(at, entry.name);
      const match = ROLLOUT_NAME.exec(entry.name);
      if (match !== null && entry.isFile() && options.mtimes !== true) {
        onFile({ id: match[1]!.toLowerCase(), dir: at, name: entry.name, mtimeMs: 0 });
      } else if (match !== null && (entry.isFile() || entry.isSymbolicLink())) {
        const id = match[1]!.toLowerCase();
        stats.push(stat(full).then((info) => void (info.isFile() && onFile({ id, dir: at, name: entry.name, mtimeMs: info.mtimeMs })), () => undefined));
        if (stats.length >= 256) await Promise.all(stats.splice(0));
      } else if (depth < MAX_DEPTH && (entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full).then((s) => s.isDirectory(), () => false))))) {
        await walk(full, depth + 1);
      }
    }
  }
  await walk(dir, 0);
  await Promise.all(stats);
}

/** Every rollout file under `dir` (see {@link walkRollouts}), for callers that want them all at once. */
export async function findRollouts(dir: string, options: { mtimes?: boolean } = {}): Promise<RolloutFile[]> {
  const found: RolloutFile[] = [];
  await walkRollouts(dir, (file) => found.push(file), options);
  return found;
}

/** What a rollout's first line (its session_meta) says about the thread, as far as a mine's filters go. */
export interface RolloutHead {
  id: string | undefined;
  /** The raw `source` (a string, or an object for sub-agents). */
  source: unknown;
  modelProvider: string | undefined;
  cwd: string | undefined;
}

/** Reads a rollout's session_meta line; undefined when it has none that can be read. */
export async function readRolloutHead(file: string): Promise<RolloutHead | undefined> {
  let text: string;
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const pieces: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return undefined;
      const chunk = buffer.subarray(0, bytesRead);
      const end = chunk.indexOf(0x0a);
      pieces.push(end === -1 ? chunk : chunk.subarray(0, end));
      total += bytesRead;
      if (end !== -1) break;
      if (total > MAX_HEAD_BYTES) return undefined;
    }
    text = Buffer.concat(pieces).toString('utf8');
  } finally {
    await handle.close();
  }
  let line: unknown;
  try {
    line = JSON.parse(text);
  } catch {
    return undefined;
  }
  const payload = (line as { type?: unknown; payload?: unknown } | null)?.type === 'session_meta' ? (line as { payload: unknown }).payload : undefined;
  if (typeof payload !== 'object' || payload === null) return undefined;
  const meta = payload as Record<string, unknown>;
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { id: str(meta.id), source: meta.source, modelProvider: str(meta.model_provider), cwd: str(meta.cwd) };
}
