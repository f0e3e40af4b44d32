import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** What a path cas will write to is, once symbolic links are followed. */
export type OutputTarget =
  /** Nothing there yet: `path` is where the file will be made (a dangling link's target). */
  | { kind: 'missing'; path: string }
  /** A regular file: `path` is its real path, replaced atomically. */
  | { kind: 'file'; path: string }
  /** A FIFO, terminal, device, or a descriptor of cas's own (/dev/stdout): written in place, never replaced. */
  | { kind: 'special'; path: string };

/** A path cas cannot write its output to (a directory, a socket, a link loop). */
export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

const MAX_LINK_HOPS = 40;

/** Paths that name a descriptor of this process: they must be opened as they are, never renamed over. */
function isOwnDescriptor(file: string): boolean {
  return /^\/dev\/(std(in|out|err)|fd\/\d+)$/.test(file) || /^\/proc\/(self|\d+)\/fd\/\d+$/.test(file);
}

/** Follows a dangling link chain to the path a new file would be created at. */
async function danglingTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    let info;
    try {
      info = await lstat(current);
    } catch {
      return current;
    }
    if (!info.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new OutputPathError('too many levels of symbolic links');
}

/** Says what `file` is, following links; rejects with {@link OutputPathError} when cas cannot write there. */
export async function resolveOutputTarget(file: string): Promise<OutputTarget> {
  if (isOwnDescriptor(file)) return { kind: 'special', path: file };
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing', path: await danglingTarget(file) };
    if (code === 'ELOOP') throw new OutputPathError('too many levels of symbolic links');
    if (code === 'ENOTDIR') throw new OutputPathError('a part of the path is not a directory');
    throw new OutputPathError((error as Error).message);
  }
  if (info.isDirectory()) throw new OutputPathError('is a directory');
  if (info.isSocket()) throw new OutputPathError('is a socket');
  if (info.isFile()) return { kind: 'file', path: await realpath(file) };
  return { kind: 'special', path: file };
}
