import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { InstanceState } from '../../src/instance/state-file.js';

/** The app-server pids a run's state files name (written while it runs). */
export async function pidsIn(stateDir: string): Promise<number[]> {
  const files = await readdir(stateDir).catch(() => [] as string[]);
  const states = await Promise.all(
    files.filter((file) => file.endsWith('.json')).map(async (file) => JSON.parse(await readFile(path.join(stateDir, file), 'utf8')) as InstanceState),
  );
  return states.map((state) => state.pid).filter((pid): pid is number => pid !== null);
}

/** Waits until `check` holds, polling every 50 ms. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
