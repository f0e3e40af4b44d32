import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every file under `dir` with its size and content hash, for "nothing changed" checks. */
export async function snapshotTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(at: string): Promise<void> {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const content = await readFile(full);
        files.set(path.relative(dir, full), `${(await stat(full)).size}:${createHash('sha256').update(content).digest('hex')}`);
      }
    }
  }
  await walk(dir);
  return files;
}

/** Thread ids of the rollout files under a home's sessions/ (…-<uuid>.jsonl): the threads on disk. */
export async function rolloutThreadIds(home: string): Promise<Set<string>> {
  const tree = await snapshotTree(path.join(home, 'sessions'));
  const uuid = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;
  return new Set([...tree.keys()].map((file) => uuid.exec(file)?.[1]).filter((id): id is string => id !== undefined));
}
