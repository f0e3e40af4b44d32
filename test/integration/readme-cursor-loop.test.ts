import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAS_BIN } from '../helpers/cas-cli.js';
import { copyRollouts } from '../helpers/home-copies.mjs';
import { makeThreads } from '../helpers/mine-homes.js';
import { mockProviderConfig } from '../../src/mock-model/provider-config.js';
import { readmeBlocks } from '../helpers/readme-blocks.js';

// The README's `cas request` cursor loop, exactly as written, run by bash against a real home:
// it must list every thread across pages and end; on a failing request it must end, non-zero.

const THREADS = 130; // two pages of 100

let dir: string;
let snippet: string;
let copied: string[];

/** Runs the snippet with HOME=`home` (so `$HOME/.codex` is the home) and `npx cas` = this repo's bin/cas. */
async function runSnippet(home: string, cwd: string) {
  const bin = path.join(dir, 'bin');
  return execa('bash', ['-c', snippet], {
    cwd,
    reject: false,
    timeout: 240_000,
    env: { HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
}

beforeAll(async () => {
  const blocks = (await readmeBlocks('sh')).filter((block) => block.includes('cursor=null') && block.includes('nextCursor'));
  expect(blocks).toHaveLength(1);
  snippet = blocks[0]!;
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-readme-loop-'));
  // `npx cas` in the snippet runs this checkout's CLI, as it would in a project that installed cas.
  await mkdir(path.join(dir, 'bin'));
  const npx = path.join(dir, 'bin', 'npx');
  await writeFile(npx, `#!/bin/sh\n[ "$1" = cas ] && shift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CAS_BIN)} "$@"\n`);
  await chmod(npx, 0o755);
  const template = path.join(dir, 'template');
  await makeThreads(template, 2);
  await mkdir(path.join(dir, 'user', '.codex'), { recursive: true });
  copied = (await copyRollouts({ from: template, to: path.join(dir, 'user', '.codex'), count: THREADS, slim: true })).map((copy) => copy.id);
  // A user's home names the provider its threads ran on; thread/list lists that provider's by default.
  await writeFile(path.join(dir, 'user', '.codex', 'config.toml'), mockProviderConfig('http://127.0.0.1:9/v1'));
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the README's cursor loop over `cas request`", () => {
  it('lists every thread of a real home across pages, then stops', async () => {
    const work = path.join(dir, 'ok');
    await mkdir(work);
    const result = await runSnippet(path.join(dir, 'user'), work);
    expect({ exitCode: result.exitCode, timedOut: result.timedOut, stderr: result.stderr }).toEqual({ exitCode: 0, timedOut: false, stderr: '' });
    const listed = (await readFile(path.join(work, 'threads.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(listed).toHaveLength(THREADS);
    expect([...listed].sort()).toEqual([...copied].sort());
  }, 300_000);

  it('stops at a failing request with a non-zero exit, instead of spinning', async () => {
    const work = path.join(dir, 'bad');
    await mkdir(work);
    // $HOME/.codex is a regular file: cas cannot use it as a CODEX_HOME.
    const home = path.join(dir, 'broken');
    await mkdir(home);
    await writeFile(path.join(home, '.codex'), 'not a directory\n');
    const result = await runSnippet(home, work);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/^cas: /m);
    expect(await readFile(path.join(work, 'threads.jsonl'), 'utf8')).toBe('');
  }, 300_000);
});
