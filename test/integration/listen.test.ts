import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/report/run-report.js';
import { CAS_BIN, casRun, isAlive, ROOT } from '../helpers/cas-cli.js';
import { pidsIn, until } from '../helpers/run-watch.js';

// --listen ws / unix: cas starts each server on a socket and reaches it through it, still owning
// its lifetime.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-listen-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The command line of a live process, or undefined. */
async function commandLine(pid: number): Promise<string | undefined> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').then((text) => text.split('\0').join(' '), () => undefined);
}

describe('--listen', () => {
  it.each([
    ['ws', /^ws:\/\/127\.0\.0\.1:\d+$/],
    ['unix', /^unix:\/\/.+\/sockets\/\d\.sock$/],
  ])('--listen %s: each server listens there and is reached through it; all are gone afterwards', async (listen, endpoint) => {
    const { exitCode, report } = await casRun(['--listen', listen, '-n', '2', '--concurrency', '4', '--requests', '200']);
    expect(exitCode).toBe(0);
    expect(report.requests.ok).toBe(200);
    const endpoints = report.perInstance.map((instance) => instance.endpoint);
    expect(new Set(endpoints).size).toBe(2);
    for (const instance of report.perInstance) {
      expect(instance.transport).toBe(listen);
      expect(instance.endpoint).toMatch(endpoint);
      // The pid is the server's own (not the wrapper's), and it is gone.
      expect(instance.pid).toEqual(expect.any(Number));
      expect(isAlive(instance.pid!)).toBe(false);
    }
  });

  it('--listen ws with --ws-token-file starts capability-token servers and connects with the token', async () => {
    const token = path.join(dir, 'token');
    await writeFile(token, 'listen-token-5a1b9e44c0d2\n', { mode: 0o600 });
    const { exitCode, stdout, stderr, report } = await casRun(['--listen', 'ws', '--ws-token-file', token, '--requests', '20']);
    expect(exitCode).toBe(0);
    expect(report.requests.ok).toBe(20);
    expect(stdout + stderr).not.toContain('listen-token-5a1b9e44c0d2');
  });

  it('a server killed under a run is restarted on a new socket, and its reads retried', async () => {
    const runDir = path.join(dir, 'run-restart');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--listen', 'ws', '-n', '2', '--concurrency', '4', '--requests', '3000', '--run-dir', runDir], { cwd: ROOT, reject: false });
    const stateDir = path.join(runDir, 'state');
    await until(async () => (await pidsIn(stateDir)).length === 2, 60_000);
    const [victim] = await pidsIn(stateDir);
    expect(await commandLine(victim!)).toMatch(/app-server --listen ws:\/\/127\.0\.0\.1:\d+/);
    process.kill(victim!, 'SIGKILL');
    const report = JSON.parse(String((await run).stdout)) as RunReport;
    expect(report.requests).toMatchObject({ total: 3000, ok: 3000, failed: 0 });
    expect(report.instances.restarts).toBe(1);
  });

  it('no --listen server outlives cas, even a cas killed with SIGKILL', async () => {
    const runDir = path.join(dir, 'run-sigkill');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--listen', 'ws', '-n', '2', '--duration', '120', '--run-dir', runDir], { cwd: ROOT, reject: false });
    const stateDir = path.join(runDir, 'state');
    await until(async () => (await pidsIn(stateDir)).length === 2, 60_000);
    const pids = await pidsIn(stateDir);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    run.kill('SIGKILL');
    await run;
    // The wrapper holding cas's pipe sees it close and stops its server.
    await until(() => pids.every((pid) => !isAlive(pid)), 30_000);
  });
});
