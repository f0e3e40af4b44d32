import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Points TMPDIR (for the tests and every cas they start) at a fresh directory, and at the end
 * fails the run if anything was left in it: cas must remove its `cas-run-*` dirs, tests their own.
 * Each test file gets its own subdirectory (test/setup/file-tmpdir.ts) and is checked on its own.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vitest-cas-'));
  process.env.TMPDIR = root;
  process.env.CAS_SUITE_TMPDIR = root;
  return async () => {
    const left = await leftovers(root);
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    if (left.length > 0) throw new Error(`the suite left these in the temp dir: ${left.join(', ')}`);
  };
}

/** Entries under root, one level of per-file subdirectories deep. */
async function leftovers(root: string): Promise<string[]> {
  const left: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const inside = entry.isDirectory() ? await readdir(path.join(root, entry.name)).catch(() => []) : [];
    left.push(...(inside.length > 0 ? inside.map((name) => `${entry.name}/${name}`) : [entry.name]));
  }
  return left;
}
