import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccounted } from '../helpers/accounting.js';
import { CAS_BIN, cas, isAlive, ROOT } from '../helpers/cas-cli.js';
import { rolloutThreadIds, snapshotTree } from '../helpers/home-snapshot.js';
import { idsOf, linesOf, makeThreads, readLines, readReport } from '../helpers/mine-homes.js';
import { pidsIn, until } from '../helpers/run-watch.js';

const THREADS = 40;

let dir: string;
let home: string;
let onDisk: Set<string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-it-'));
  home = path.join(dir, 'home');
  await makeThreads(home, THREADS);
  onDisk = await rolloutThreadIds(home);
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts `cas mine ...` and interrupts it with `signal` once its output has `lines` lines. */
async function interruptAt(args: string[], out: string, lines: number, signal: NodeJS.Signals) {
  // Its TMPDIR is under dir: a cas killed with SIGKILL cannot remove its temp run dir, the test does.
  const tmp = await mkdtemp(path.join(dir, 'tmp-'));
  const child = execa(process.execPath, [CAS_BIN, 'mine', ...args, '--out', out], { cwd: ROOT, reject: false, env: { TMPDIR: tmp } });
  await until(async () => (await readFile(out, 'utf8').catch(() => '')).split('\n').length > lines, 60_000);
  child.kill(signal);
  return child;
}

describe('cas mine against a home of real threads', () => {
  it('lists every thread exactly once over several pages, and checks the listing against the rollouts', async () => {
    expect(onDisk.size).toBe(THREADS);
    const reportFile = path.join(dir, 'list-report.json');
    const { exitCode, stdout } = await cas(['mine', '--codex-home', home, '--page-size', '15', '--report', reportFile]);
    expect(exitCode).toBe(0);
    const lines = linesOf(stdout);
    expect(lines).toHaveLength(THREADS);
    expect(new Set(idsOf(lines).ids)).toEqual(onDisk);
    expect(lines.every((line) => line.codexHome === home)).toBe(true);
    const report = await readReport(reportFile);
    expect(report.homes).toMatchObject([{ home, cursor: null, listed: true, done: true, pages: Math.ceil(THREADS / 15), threads: THREADS, failed: 0, error: null }]);
    expect(report.homes[0]!.check).toMatchObject({ against: 'rollouts', rollouts: THREADS, listed: THREADS, missing: 0, agrees: true });
    expect(report.listing).toBe('index');
    expect(report.requests.ok).toBe(Math.ceil(THREADS / 15));
  });

  it('lists the same threads by scanning rollouts (--listing scan)', async () => {
    const { exitCode, stdout } = await cas(['mine', '--codex-home', home, '--listing', 'scan']);
    expect(exitCode).toBe(0);
    expect(new Set(idsOf(linesOf(stdout)).ids)).toEqual(onDisk);
  });

  it('reads every thread whole with reads spread over the instances, and never changes the home', async () => {
    const before = await snapshotTree(home);
    const out = path.join(dir, 'read.jsonl');
    const reportFile = path.join(dir, 'read-report.json');
    const { exitCode, stderr } = await cas(['mine', '--codex-home', home, '--read', '--instances', '2', '--concurrency', '4', '--page-size', '25', '--out', out, '--report', reportFile]);
    expect(exitCode).toBe(0);
    const lines = await readLines(out);
    expect(lines).toHaveLength(THREADS);
    expect(new Set(idsOf(lines).ids)).toEqual(onDisk);
    // Whole: each thread comes with its turn and the turn's items.
    expect(lines.every((line) => line.thread?.turns?.length === 1 && line.thread.turns[0]!.items.length === 2)).toBe(true);
    expect(stderr).toMatch(new RegExp(`${THREADS} read`));
    const report = await readReport(reportFile);
    expect(report.perInstance.map((instance) => instance.requests > 0)).toEqual([true, true]);
    // The rollouts are byte-identical, and no file was added or removed anywhere outside the SQLite state the server keeps.
    const after = await snapshotTree(home);
    const sessions = (tree: Map<string, string>) => [...tree].filter(([file]) => file.startsWith('sessions'));
    expect(sessions(after)).toEqual(sessions(before));
    const names = (tree: Map<string, string>) => [...tree.keys()].filter((file) => !/\.sqlite(-wal|-shm)?$/.test(file)).sort();
    expect(names(after)).toEqual(names(before));
  });

  it('continues a killed mine where it stopped: no duplicates, no gaps, counts right', async () => {
    const out = path.join(dir, 'killed.jsonl');
    const first = await interruptAt(['--codex-home', home, '--read', '--page-size', '5', '--concurrency', '1'], out, 12, 'SIGKILL');
    await first;
    const partial = idsOf(await readLines(out)).ids;
    expect(partial.length).toBeGreaterThan(10);
    expect(partial.length).toBeLessThan(THREADS);

    const checkpoint = `${out}.checkpoint`;
    const reportFile = path.join(dir, 'killed-report.json');
    const { exitCode } = await cas(['mine', '--resume', checkpoint, '--report', reportFile]);
    expect(exitCode).toBe(0);
    const ids = idsOf(await readLines(out)).ids;
    expect(ids).toHaveLength(THREADS);
    expect(new Set(ids)).toEqual(onDisk);
    const report = await readReport(reportFile);
    expect(report.resumed).toBe(true);
    expect(report.threads.read).toBe(THREADS - partial.length);
    expect(report.homes[0]).toMatchObject({ threads: THREADS, done: true });
    // A finished mine resumed again has nothing left to do.
    const again = await cas(['mine', '--resume', checkpoint]);
    expect(again.exitCode).toBe(0);
    expect(await readLines(out)).toHaveLength(THREADS);
  });

  it('after Ctrl-C with a short grace, reads never run are not committed: the resume writes every thread whole, once', async () => {
    const out = path.join(dir, 'sigint.jsonl');
    const first = await interruptAt(['--codex-home', home, '--read', '--page-size', '5', '--concurrency', '1', '--grace-ms', '50'], out, 5, 'SIGINT');
    expect((await first).exitCode).toBe(130);
    const partial = await readLines(out);
    expect(idsOf(partial).errors).toBe(0);
    const { exitCode } = await cas(['mine', '--resume', `${out}.checkpoint`]);
    expect(exitCode).toBe(0);
    const lines = await readLines(out);
    const { ids, errors } = idsOf(lines);
    expect(errors).toBe(0);
    expect(ids).toHaveLength(THREADS);
    expect(new Set(ids)).toEqual(onDisk);
    expect(lines.every((line) => line.thread?.turns?.length === 1)).toBe(true);
  });

  it('Ctrl-C to the whole process group: reads in flight finish within the grace, none fails as killed, nothing is left', async () => {
    const out = path.join(dir, 'group.jsonl');
    const reportFile = path.join(dir, 'group-report.json');
    const stateDir = path.join(dir, 'group-state');
    const tmp = path.join(dir, 'group-tmp');
    await mkdir(tmp);
    // As a shell starts a job: cas leads its own process group, and Ctrl-C reaches the whole group.
    const args = ['mine', '--codex-home', home, '--read', '--page-size', '5', '--instances', '2', '--concurrency', '2', '--state-dir', stateDir, '--out', out, '--report', reportFile];
    const child = execa(process.execPath, [CAS_BIN, ...args], { cwd: ROOT, reject: false, detached: true, env: { TMPDIR: tmp } });
    await until(async () => (await readFile(out, 'utf8').catch(() => '')).split('\n').length > 5, 60_000);
    const servers = await pidsIn(stateDir);
    process.kill(-child.pid!, 'SIGINT');
    expect((await child).exitCode).toBe(130);
    const report = await readReport(reportFile);
    expect(report.interrupted).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.requests.failed).toBe(0);
    await expectAccounted(report);
    const { ids, errors } = idsOf(await readLines(out));
    expect(errors).toBe(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(report.threads.written);
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('a resume reads again every thread whose read failed, and replaces its error line', async () => {
    const out = path.join(dir, 'failed.jsonl');
    expect((await cas(['mine', '--codex-home', home, '--read', '--out', out])).exitCode).toBe(0);
    const lines = await readLines(out);
    const failed = [lines[3]!.thread!.id, lines[17]!.thread!.id];
    // As a mine whose reads of two threads failed leaves it.
    const text = lines.map((line) => JSON.stringify(failed.includes(line.thread!.id) ? { codexHome: home, threadId: line.thread!.id, error: { code: -32603, message: 'boom' } } : line)).join('\n');
    await writeFile(out, `${text}\n`);
    const reportFile = path.join(dir, 'failed-report.json');
    const { exitCode } = await cas(['mine', '--resume', `${out}.checkpoint`, '--report', reportFile]);
    expect(exitCode).toBe(0);
    const after = await readLines(out);
    expect(idsOf(after)).toEqual({ ids: expect.arrayContaining([...onDisk]), errors: 0 });
    expect(after).toHaveLength(THREADS);
    expect(after.filter((line) => failed.includes(line.thread!.id)).every((line) => line.thread!.turns!.length === 1)).toBe(true);
    expect((await readReport(reportFile)).threads).toMatchObject({ read: 2, failed: 0 });
  });

  it('a thread read again on resume is written once even when the resumed listing meets it', async () => {
    const out = path.join(dir, 'relisted.jsonl');
    expect((await cas(['mine', '--codex-home', home, '--read', '--out', out])).exitCode).toBe(0);
    const lines = await readLines(out);
    const failed = lines[0]!.thread!.id;
    await writeFile(out, `${[{ codexHome: home, threadId: failed, error: { code: 'timeout', message: 'no reply' } }, ...lines.slice(1)].map((line) => JSON.stringify(line)).join('\n')}\n`);
    // As if the page holding it was never committed: the resume lists the home from the start.
    const checkpoint = `${out}.checkpoint`;
    const saved = JSON.parse(await readFile(checkpoint, 'utf8'));
    await writeFile(checkpoint, JSON.stringify({ ...saved, homes: [{ ...saved.homes[0], cursor: null, listed: false, done: false, pages: 0 }] }));
    expect((await cas(['mine', '--resume', checkpoint])).exitCode).toBe(0);
    const { ids, errors } = idsOf(await readLines(out));
    expect(errors).toBe(0);
    expect(ids).toHaveLength(THREADS);
    expect(new Set(ids)).toEqual(onDisk);
  });

  it('writes threads made while it mines once, and misses none that existed when it started', async () => {
    const growing = path.join(dir, 'growing');
    await makeThreads(growing, 20);
    const existing = await rolloutThreadIds(growing);
    const out = path.join(dir, 'growing.jsonl');
    const mining = cas(['mine', '--codex-home', growing, '--read', '--page-size', '2', '--concurrency', '1', '--out', out]);
    await makeThreads(growing, 8);
    const { exitCode } = await mining;
    expect(exitCode).toBe(0);
    const { ids } = idsOf(await readLines(out));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of existing) expect(ids).toContain(id);
    const all = await rolloutThreadIds(growing);
    for (const id of ids) expect(all.has(id)).toBe(true);
  });

  it('--since writes only what changed after an earlier mine began (its report or an ISO time)', async () => {
    const changing = path.join(dir, 'changing');
    await makeThreads(changing, 6);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the index keeps whole seconds
    const reportFile = path.join(dir, 'since-report.json');
    expect((await cas(['mine', '--codex-home', changing, '--out', path.join(dir, 'since-all.jsonl'), '--report', reportFile])).exitCode).toBe(0);
    const before = await rolloutThreadIds(changing);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the index keeps whole seconds
    await makeThreads(changing, 3);
    const added = [...(await rolloutThreadIds(changing))].filter((id) => !before.has(id));
    const out = path.join(dir, 'since.jsonl');
    const since = await cas(['mine', '--codex-home', changing, '--since', reportFile, '--read', '--out', out]);
    expect(since.exitCode).toBe(0);
    expect(new Set(idsOf(await readLines(out)).ids)).toEqual(new Set(added));
    const future = await cas(['mine', '--codex-home', changing, '--since', '2999-01-01T00:00:00Z']);
    expect(future.exitCode).toBe(0);
    expect(future.stdout).toBe('');
    const bad = await cas(['mine', '--codex-home', changing, '--since', 'last tuesday']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--since last tuesday: neither an ISO 8601 time/);
  });

  it('mines several homes at once, each line naming its home', async () => {
    const second = path.join(dir, 'second');
    await makeThreads(second, 5);
    const { exitCode, stdout, stderr } = await cas(['mine', '--codex-home', home, '--codex-home', second, '--read']);
    expect(exitCode).toBe(0);
    const lines = linesOf(stdout);
    expect(lines.filter((line) => line.codexHome === home)).toHaveLength(THREADS);
    expect(lines.filter((line) => line.codexHome === second)).toHaveLength(5);
    expect(stderr).toMatch(/2 homes/);
  });
});

describe('cas mine refuses what it cannot do safely', () => {
  it('a home that does not exist, instead of creating it', async () => {
    const missing = path.join(dir, 'no-such-home');
    const { exitCode, stderr } = await cas(['mine', '--codex-home', missing]);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/no such directory \(mining never creates a home\)/);
    await expect(readdir(missing)).rejects.toThrow(/ENOENT/);
  });

  it('an earlier output, unless --force', async () => {
    const out = path.join(dir, 'twice.jsonl');
    expect((await cas(['mine', '--codex-home', home, '--out', out])).exitCode).toBe(0);
    const refused = await cas(['mine', '--codex-home', home, '--out', out]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim()).toBe(`cas: --out ${out}: an earlier output is there; continue it with --resume ${out}.checkpoint, or pass --force to start over`);
    expect(await readLines(out)).toHaveLength(THREADS);
    const forced = await cas(['mine', '--codex-home', home, '--out', out, '--force']);
    expect(forced.exitCode).toBe(0);
    expect(await readLines(out)).toHaveLength(THREADS);
  });

  it('a tampered checkpoint, before touching its output; a missing home is neither created nor done; a bad line is one clear error', async () => {
    const out = path.join(dir, 'tampered.jsonl');
    expect((await cas(['mine', '--codex-home', home, '--out', out, '--page-size', '10'])).exitCode).toBe(0);
    const checkpoint = `${out}.checkpoint`;
    const saved = JSON.parse(await readFile(checkpoint, 'utf8'));
    await appendFile(out, '{"codexHome":"half a line');
    const before = await readFile(out, 'utf8');

    await writeFile(checkpoint, JSON.stringify({ ...saved, pageSize: 'many' }));
    let result = await cas(['mine', '--resume', checkpoint]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/not a cas mine checkpoint \(pageSize/);
    expect(await readFile(out, 'utf8')).toBe(before);

    const gone = path.join(dir, 'gone-home');
    await writeFile(checkpoint, JSON.stringify({ ...saved, homes: [{ ...saved.homes[0], home: gone, done: false }] }));
    result = await cas(['mine', '--resume', checkpoint]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/mining never creates a home/);
    await expect(readdir(gone)).rejects.toThrow(/ENOENT/);
    expect(await readFile(out, 'utf8')).toBe(before);

    await writeFile(checkpoint, JSON.stringify(saved));
    await writeFile(out, `${before.slice(0, before.lastIndexOf('\n') + 1)}null\n`);
    result = await cas(['mine', '--resume', checkpoint]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`cas: --resume ${checkpoint}: output ${out}: line ${THREADS + 1} is null, not a cas mine line`]);
  });
});

describe('cas mine with an empty home dir', () => {
  it('mines nothing and says it matched its (zero) rollouts', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    const { exitCode, stdout, stderr } = await cas(['mine', '--codex-home', empty]);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/0 threads in 1 page, done/);
  });
});
