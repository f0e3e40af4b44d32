import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cas } from '../helpers/cas-cli.js';
import { copyRollouts } from '../helpers/home-copies.mjs';
import { idsOf, makeThreads, readLines, readReport } from '../helpers/mine-homes.js';

/** More than the 10,000 threads codex 0.169.0's scan listing stops at. */
const THREADS = 10_050;
const LATE = 30;

let dir: string;
let big: string;
let copied: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-scale-'));
  const template = path.join(dir, 'template');
  await makeThreads(template, 4);
  big = path.join(dir, 'big');
  await mkdir(big);
  // Slim copies: the listing needs a rollout's metadata and first messages, not its bulk.
  copied = (await copyRollouts({ from: template, to: big, count: THREADS, slim: true })).map((copy) => copy.id);
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cas mine on a home bigger than the server scan limit', () => {
  it('writes every thread exactly once by default, and its listing matches the rollouts', async () => {
    const out = path.join(dir, 'big.jsonl');
    const reportFile = path.join(dir, 'big-report.json');
    // The first start indexes the copied rollouts before it answers initialize.
    const { exitCode, stderr } = await cas(['mine', '--codex-home', big, '--out', out, '--report', reportFile]);
    expect(stderr).toMatch(new RegExp(`${THREADS} threads in ${Math.ceil(THREADS / 100)} pages, done`));
    expect(exitCode).toBe(0);
    const { ids } = idsOf(await readLines(out));
    expect(ids).toHaveLength(THREADS);
    expect(new Set(ids)).toEqual(new Set(copied));
    const report = await readReport(reportFile);
    expect(report.homes[0]).toMatchObject({ done: true, threads: THREADS, check: { rollouts: THREADS, listed: THREADS, missing: 0, agrees: true } });
  }, 240_000);

  it('finds rollouts the index never had (added after the server indexed the home), writes them, and exits 1 saying so', async () => {
    const late = (await copyRollouts({ from: path.join(dir, 'template'), to: big, count: LATE, slim: true, startMs: Date.UTC(2026, 0, 1) })).map((copy) => copy.id);
    const out = path.join(dir, 'late.jsonl');
    const reportFile = path.join(dir, 'late-report.json');
    const { exitCode, stderr } = await cas(['mine', '--codex-home', big, '--out', out, '--report', reportFile]);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`${LATE} on disk but not listed (missing from the server's index?), written after all`);
    const { ids } = idsOf(await readLines(out));
    expect(ids).toHaveLength(THREADS + LATE);
    expect(new Set(ids)).toEqual(new Set([...copied, ...late]));
    const report = await readReport(reportFile);
    expect(report.homes[0]!.check).toMatchObject({ listed: THREADS, missing: LATE, agrees: false });
    expect(new Set(report.homes[0]!.check!.missingIds)).toEqual(new Set([...late].sort().slice(0, 20)));

    // Resuming the finished mine lists nothing again, but still says the listing disagreed.
    const resumed = await cas(['mine', '--resume', `${out}.checkpoint`, '--report', reportFile]);
    expect(resumed.exitCode).toBe(1);
    expect((await readReport(reportFile)).homes[0]!.check).toMatchObject({ listed: THREADS, missing: LATE, agrees: false });
    expect(idsOf(await readLines(out)).ids).toHaveLength(THREADS + LATE);
  }, 240_000);
});
