import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MineReport } from '../../src/mine/run-mine.js';
import { CAS_BIN, cas, casRun, ROOT } from '../helpers/cas-cli.js';
import { rolloutThreadIds, snapshotTree } from '../helpers/home-snapshot.js';

const THREADS = 155;
/** Thread creation is about twice as fast without a shell snapshot per thread. */
const FAST_THREADS = ['--codex-arg', '-c', '--codex-arg', 'features.shell_snapshot=false'];

let dir: string;
let home: string;
let onDisk: Set<string>;

/** Makes `count` threads in `home` by real turns against the loopback model. */
async function makeThreads(target: string, count: number): Promise<void> {
  const { report } = await casRun([
    '--method', 'turn/start', '--mock-model', '--fresh-thread', '--codex-home', target,
    '--instances', '2', '--concurrency', '4', '--requests', String(count), '--samples', '0', ...FAST_THREADS,
  ]);
  expect(report.requests).toMatchObject({ total: count, ok: count });
}

function threadsOf(text: string): Array<{ codexHome: string; thread: { id: string; turns?: unknown[] } }> {
  return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function readReport(file: string): Promise<MineReport> {
  return JSON.parse(await readFile(file, 'utf8')) as MineReport;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-it-'));
  home = path.join(dir, 'home');
  await makeThreads(home, THREADS);
  onDisk = await rolloutThreadIds(home);
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cas mine against a home of real threads', () => {
  it('lists every thread exactly once over several pages', async () => {
    expect(onDisk.size).toBe(THREADS);
    const reportFile = path.join(dir, 'list-report.json');
    const { exitCode, stdout } = await cas(['mine', '--codex-home', home, '--page-size', '20', '--report', reportFile]);
    expect(exitCode).toBe(0);
    const lines = threadsOf(stdout);
    expect(lines).toHaveLength(THREADS);
    expect(new Set(lines.map((line) => line.thread.id))).toEqual(onDisk);
    expect(lines.every((line) => line.codexHome === home)).toBe(true);
    const report = await readReport(reportFile);
    expect(report.homes).toEqual([{ home, cursor: null, done: true, pages: Math.ceil(THREADS / 20), threads: THREADS, error: null }]);
    expect(report.requests.ok).toBe(Math.ceil(THREADS / 20));
  });

  it('reads every thread whole across instances, and never changes the home', async () => {
    const before = await snapshotTree(home);
    const out = path.join(dir, 'read.jsonl');
    const { exitCode, stderr } = await cas(['mine', '--codex-home', home, '--read', '--instances', '2', '--concurrency', '4', '--page-size', '50', '--out', out]);
    expect(exitCode).toBe(0);
    const lines = threadsOf(await readFile(out, 'utf8'));
    expect(lines).toHaveLength(THREADS);
    expect(new Set(lines.map((line) => line.thread.id))).toEqual(onDisk);
    // Read whole: each thread comes with its turn.
    expect(lines.every((line) => Array.isArray(line.thread.turns) && line.thread.turns.length === 1)).toBe(true);
    expect(stderr).toMatch(new RegExp(`${THREADS} read`));
    // The rollouts are byte-identical, and no file was added or removed anywhere outside the SQLite state the server keeps.
    const after = await snapshotTree(home);
    const sessions = (tree: Map<string, string>) => [...tree].filter(([file]) => file.startsWith('sessions'));
    expect(sessions(after)).toEqual(sessions(before));
    const names = (tree: Map<string, string>) => [...tree.keys()].filter((file) => !/\.sqlite(-wal|-shm)?$/.test(file)).sort();
    expect(names(after)).toEqual(names(before));
  });

  it('continues an interrupted mine where it stopped: no duplicates, no gaps', async () => {
    const out = path.join(dir, 'resumed.jsonl');
    // Small pages, one read at a time: a mine slow enough to interrupt.
    const first = execa(process.execPath, [CAS_BIN, 'mine', '--codex-home', home, '--read', '--page-size', '5', '--concurrency', '1', '--out', out], {
      cwd: ROOT,
      reject: false,
    });
    for (;;) {
      const written = await readFile(out, 'utf8').catch(() => '');
      if (written.split('\n').length > 25) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    first.kill('SIGKILL');
    await first;
    const partial = threadsOf(await readFile(out, 'utf8'));
    expect(partial.length).toBeGreaterThan(20);
    expect(partial.length).toBeLessThan(THREADS);

    const checkpoint = `${out}.checkpoint`;
    const reportFile = path.join(dir, 'resumed-report.json');
    const { exitCode } = await cas(['mine', '--resume', checkpoint, '--report', reportFile]);
    expect(exitCode).toBe(0);
    const lines = threadsOf(await readFile(out, 'utf8'));
    const ids = lines.map((line) => line.thread.id);
    expect(ids).toHaveLength(THREADS);
    expect(new Set(ids)).toEqual(onDisk);
    const report = await readReport(reportFile);
    expect(report.resumed).toBe(true);
    expect(report.threads.read).toBe(THREADS - partial.length);
    // A finished mine resumed again has nothing left to do.
    const again = await cas(['mine', '--resume', checkpoint]);
    expect(again.exitCode).toBe(0);
    expect(threadsOf(await readFile(out, 'utf8'))).toHaveLength(THREADS);
  });

  it('misses no thread that existed when it started while new ones are added', async () => {
    const growing = path.join(dir, 'growing');
    await makeThreads(growing, 30);
    const existing = await rolloutThreadIds(growing);
    const out = path.join(dir, 'growing.jsonl');
    const mining = cas(['mine', '--codex-home', growing, '--read', '--page-size', '2', '--concurrency', '1', '--out', out]);
    await makeThreads(growing, 10);
    const { exitCode } = await mining;
    expect(exitCode).toBe(0);
    const ids = threadsOf(await readFile(out, 'utf8')).map((line) => line.thread.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of existing) expect(ids).toContain(id);
    const all = await rolloutThreadIds(growing);
    for (const id of ids) expect(all.has(id)).toBe(true);
  });

  it('mines several homes at once, each line naming its home', async () => {
    const second = path.join(dir, 'second');
    await makeThreads(second, 5);
    const { exitCode, stdout } = await cas(['mine', '--codex-home', home, '--codex-home', second, '--page-size', '100']);
    expect(exitCode).toBe(0);
    const lines = threadsOf(stdout);
    expect(lines.filter((line) => line.codexHome === home)).toHaveLength(THREADS);
    expect(lines.filter((line) => line.codexHome === second)).toHaveLength(5);
  });

  it('refuses a home that does not exist instead of creating it', async () => {
    const missing = path.join(dir, 'no-such-home');
    const { exitCode, stderr } = await cas(['mine', '--codex-home', missing]);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/no such directory \(mining never creates a home\)/);
    await expect(readdir(missing)).rejects.toThrow(/ENOENT/);
  });
});
