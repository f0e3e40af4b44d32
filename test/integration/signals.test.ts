import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { RunReport } from '../../src/report/run-report.js';
import { expectAccounted } from '../helpers/accounting.js';
import { pidsIn, until } from '../helpers/run-watch.js';
import { CAS_BIN, fixture, isAlive, ROOT } from '../helpers/cas-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-signals-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function start(args: string[], input?: string, tmp?: string): ResultPromise {
  return execa(process.execPath, [CAS_BIN, ...args], { cwd: ROOT, reject: false, ...(input === undefined ? {} : { input }), ...(tmp === undefined ? {} : { env: { TMPDIR: tmp } }) });
}

/** A private TMPDIR for one cas, to see what it leaves there (cas-run-* dirs hold auth.json copies). */
async function privateTmp(name: string): Promise<string> {
  const tmp = path.join(dir, `tmp-${name}`);
  await mkdir(tmp);
  return tmp;
}

/** Waits until the run's app-servers are up, as its state files tell. */
async function serversOf(stateDir: string, count: number): Promise<number[]> {
  await until(async () => (await pidsIn(stateDir)).length === count);
  return pidsIn(stateDir);
}

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s: stops, finishes what is in flight, writes the interrupted report and records, exits %i', async (signal, code) => {
    const stateDir = path.join(dir, `state-${signal}`);
    const records = path.join(dir, `records-${signal}.jsonl`);
    const tmp = await privateTmp(signal);
    const run = start(['run', '--json', '--instances', '2', '--method', 'thread/list', '--duration', '60', '--concurrency', '4', '--state-dir', stateDir, '--records', records], undefined, tmp);
    const pids = await serversOf(stateDir, 2);
    // Signal it mid-run: once requests are flowing (a condition, not a sleep).
    await until(async () => (await readFile(records, 'utf8').catch(() => '')).split('\n').length > 50);
    run.kill(signal);
    const result = await run;
    expect(result.exitCode).toBe(code);
    const report = JSON.parse(String(result.stdout)) as RunReport;
    expect(report.interrupted).toBe(true);
    expect(report.requests.total).toBeGreaterThan(0);
    expect(report.requests.failed).toBe(0);
    await expectAccounted(report, records);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('fails requests still unanswered when the grace period ends, so each still gets its result', async () => {
    const stateDir = path.join(dir, 'state-grace');
    const records = path.join(dir, 'records-grace.jsonl');
    const run = start(['run', '--json', '--codex-bin', fixture('never-answers.mjs'), '--method', 'thread/list', '--requests', '50', '--concurrency', '3',
      '--request-timeout-ms', '60000', '--grace-ms', '300', '--state-dir', stateDir, '--records', records]);
    const pids = await serversOf(stateDir, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(String(result.stdout)) as RunReport;
    expect(report.requests).toMatchObject({ total: 3, ok: 0, failed: 3 });
    expect(report.errors).toEqual([{ code: 'interrupted', message: 'thread/list: no reply within the 300 ms grace period after the interrupt', count: 3 }]);
    await expectAccounted(report, records);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('a second signal ends cas at once, and takes its app-servers with it', async () => {
    const stateDir = path.join(dir, 'state-twice');
    const tmp = await privateTmp('twice');
    const run = start(['run', '--codex-bin', fixture('never-answers.mjs'), '--method', 'thread/list', '--requests', '5', '--grace-ms', '60000', '--request-timeout-ms', '60000', '--state-dir', stateDir], undefined, tmp);
    const pids = await serversOf(stateDir, 1);
    run.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    await until(() => pids.every((pid) => !isAlive(pid)), 5000);
    // Its exit hooks removed the temp run dir (with its auth.json copies) on the way out.
    expect(await readdir(tmp)).toEqual([]);
  });

  it('cas killed with SIGKILL: its app-servers see stdin close and exit on their own', async () => {
    const stateDir = path.join(dir, 'state-kill');
    // SIGKILL leaves cas no chance to remove its temp run dir: keep it under dir, which the test removes.
    const run = start(['run', '--instances', '2', '--method', 'thread/list', '--duration', '60', '--state-dir', stateDir], undefined, await privateTmp('kill'));
    const pids = await serversOf(stateDir, 2);
    run.kill('SIGKILL');
    await run;
    await until(() => pids.every((pid) => !isAlive(pid)), 10_000);
  });

  it('the proxy killed with SIGKILL leaves no app-server behind either', async () => {
    const stateFile = path.join(dir, 'proxy-state.json');
    // The proxy runs on the home it inherits: a private one here.
    const home = path.join(dir, 'proxy-home');
    const proxy = execa(process.execPath, [CAS_BIN, 'proxy', '--state-file', stateFile], { cwd: ROOT, env: { CODEX_HOME: home, TMPDIR: await privateTmp('proxy-kill') }, reject: false, stdin: 'pipe' });
    let pid: number | null = null;
    await until(async () => {
      pid = (JSON.parse(await readFile(stateFile, 'utf8').catch(() => '{}')) as { pid?: number | null }).pid ?? null;
      return pid !== null;
    });
    proxy.kill('SIGKILL');
    await proxy;
    await until(() => !isAlive(pid!), 10_000);
  });

  it('batch: SIGINT stops reading input; every line read has its result, in order', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } })).join('\n');
    const out = path.join(dir, 'batch-out.jsonl');
    const reportFile = path.join(dir, 'batch-report.json');
    const run = start(['batch', '--input', '-', '--out', out, '--report', reportFile, '--concurrency', '4'], lines);
    await until(async () => (await readFile(out, 'utf8').catch(() => '')).length > 10_000);
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as BatchReport;
    expect(report.interrupted).toBe(true);
    const written = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { line: number });
    expect(written.length).toBe(report.lines.written);
    expect(written.length).toBe(report.lines.read);
    expect(written.length).toBeLessThan(20_000);
    expect(written.map((result) => result.line)).toEqual(written.map((_, index) => index + 1));
    await expectAccounted(report);
  });
});
