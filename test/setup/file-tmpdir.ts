import { mkdtempSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll } from 'vitest';

// Each test file gets a temp dir of its own, so whatever it leaves behind is blamed on it.
const root = process.env.CAS_SUITE_TMPDIR;
if (root !== undefined) {
  const dir = mkdtempSync(path.join(root, 'file-'));
  process.env.TMPDIR = dir;
  afterAll(async () => {
    const left = await readdir(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    if (left.length > 0) throw new Error(`this file left in the temp dir: ${left.join(', ')}`);
  });
}
