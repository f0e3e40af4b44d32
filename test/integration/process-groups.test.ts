import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { RunReport } from '../../src/report/run-report.js';
import { connect } from '../../src/client/connection.js';
import { expectAccounted } from '../helpers/accounting.js';
import { CAS_BIN, fixture, isAlive, ROOT } from '../helpers/cas-cli.js';
import { pidsIn, until } from '../helpers/run-watch.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-groups-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts cas as a shell starts a job: leader of its own process group, with a private TMPDIR to check for leftovers. */
async function startJob(name: string, args: string[]): Promise<{ run: ResultPromise; tmp: string }> {
  const tmp = path.join(dir, `tmp-${name}`);
  await mkdir(tmp, { recursive: true });
  const run = execa(process.execPath, [CAS_BIN, ...args], { cwd: ROOT, reject: false, detached: true, env: { TMPDIR: tmp } });
  return { run, tmp };
}

/** What a terminal's Ctrl-C does: SIGINT to every process of the foreground group. */
function ctrlC(run: ResultPromise): void {
  process.kill(-run.pid!, 'SIGINT');
}

async function readPid(file: string): Promise<number> {
  await until(async () => (await readFile(file, 'utf8').catch(() => '')).length > 0);
  return Number(await readFile(file, 'utf8'));
}

describe('Ctrl-C from a terminal reaches cas alone', () => {
  it('run: requests in flight finish within the grace; nothing fails as killed; nothing is left behind', async () => {
    const stateDir = path.join(dir, 'state-run');
    const records = path.join(dir, 'run-records.jsonl');
    const { run, tmp } = await startJob('run', ['run', '--json', '--instances', '2', '--duration', '60', '--concurrency', '4', '--state-dir', stateDir, '--records', records]);
    await until(async () => (await pidsIn(stateDir)).length === 2);
    const servers = await pidsIn(stateDir);
    await until(async () => (await readFile(records, 'utf8').catch(() => '')).split('\n').length > 50);
    ctrlC(run);
    const result = await run;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(String(result.stdout)) as RunReport;
    expect(report.interrupted).toBe(true);
    expect(report.requests.total).toBeGreaterThan(0);
    // The servers never saw the SIGINT: every request in flight got its reply.
    expect(report.requests.failed).toBe(0);
    expect(report.errors).toEqual([]);
    await expectAccounted(report, records);
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('batch: every line read gets its result; none fails as killed', async () => {
    const input = path.join(dir, 'batch-in.jsonl');
    await writeFile(input, `${Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } })).join('\n')}\n`);
    const out = path.join(dir, 'batch-out.jsonl');
    const reportFile = path.join(dir, 'batch-report.json');
    const { run, tmp } = await startJob('batch', ['batch', '--input', input, '--out', out, '--report', reportFile, '--instances', '2', '--concurrency', '8']);
    await until(async () => (await readFile(out, 'utf8').catch(() => '')).length > 20_000);
    ctrlC(run);
    const result = await run;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as BatchReport;
    expect(report.interrupted).toBe(true);
    expect(report.requests.failed).toBe(0);
    const written = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { line: number; ok: boolean });
    expect(written.length).toBe(report.lines.read);
    expect(written.every((line) => line.ok)).toBe(true);
    expect(written.map((line) => line.line)).toEqual(written.map((_, index) => index + 1));
    await expectAccounted(report);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('a server that leaves something behind', () => {
  it('a grandchild that escaped its group and holds the pipes cannot hang cas once the server exits', async () => {
    const pidFile = path.join(dir, 'escaped.pid');
    const records = path.join(dir, 'escaped-records.jsonl');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--codex-bin', fixture('holds-stdout.mjs'), '--codex-arg=--escape=1', `--codex-arg=--pid-file=${pidFile}`,
      '--requests', '10', '--max-restarts', '0', '--records', records], { cwd: ROOT, reject: false });
    const grandchild = await readPid(pidFile);
    try {
      const result = await run;
      expect(result.exitCode).toBe(1);
      const report = JSON.parse(String(result.stdout)) as RunReport;
      expect(report.requests).toMatchObject({ total: 10, ok: 3, failed: 7 });
      await expectAccounted(report, records);
      // It escaped (a new session): it is still there, and cas finished regardless.
      expect(isAlive(grandchild)).toBe(true);
    } finally {
      process.kill(grandchild, 'SIGKILL');
    }
  });

  it('what a server started in its own group dies with it', async () => {
    const pidFile = path.join(dir, 'grouped.pid');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--codex-bin', fixture('holds-stdout.mjs'), `--codex-arg=--pid-file=${pidFile}`, '--requests', '6', '--max-restarts', '0'], {
      cwd: ROOT,
      reject: false,
    });
    const grandchild = await readPid(pidFile);
    const result = await run;
    expect(result.exitCode).toBe(1);
    await until(() => !isAlive(grandchild), 10_000);
  });
});

describe('an interrupt during start-up', () => {
  it('never hands over a connection whose handshake the interrupt cut short, even when the reply still comes', async () => {
    const pidFile = path.join(dir, 'late-reply.pid');
    const abort = new AbortController();
    const started = connect({ command: process.execPath, args: [fixture('answers-initialize-on-close.mjs'), `--pid-file=${pidFile}`], signal: abort.signal });
    const server = await readPid(pidFile);
    // The interrupt closes the half-open connection; the server answers initialize as it goes.
    abort.abort();
    await expect(started).rejects.toThrow(/start-up interrupted/);
    await until(() => !isAlive(server), 10_000);
  });

  it('gives up a start that is stuck in the handshake at once, instead of waiting out its timeout', async () => {
    const pidFile = path.join(dir, 'stuck.pid');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--codex-bin', fixture('never-initializes.mjs'), `--codex-arg=--pid-file=${pidFile}`, '--requests', '3'], {
      cwd: ROOT,
      reject: false,
    });
    const server = await readPid(pidFile);
    run.kill('SIGINT');
    // A start cas waited out (the 60 s handshake timeout) would outlast the test's own timeout.
    const result = await run;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(String(result.stdout)) as RunReport;
    expect(report.instances.failed).toEqual([{ index: 0, error: expect.stringMatching(/start-up interrupted/) }]);
    await expectAccounted(report);
    await until(() => !isAlive(server), 10_000);
  });
});
