import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Points CAS_COMPILE_CACHE (src/cli/compile-cache/) of every cas the tests start at a directory of
 * the run's own, so a suite neither reads nor leaves compiled code in the tester's home.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vitest-cas-compile-cache-'));
  process.env.CAS_COMPILE_CACHE = dir;
  return () => rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
