import { execa } from 'execa';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceState } from '../../src/instance/state-file.js';
import type { RunReport } from '../../src/report/run-report.js';
import { expectAccounted } from '../helpers/accounting.js';
import { CAS_BIN, casRun, ROOT } from '../helpers/cas-cli.js';
import { startFakeWsServer, startRealServer, type ListeningServer } from '../helpers/listening-server.js';
import { until } from '../helpers/run-watch.js';

// Load and faults over WebSocket: many connections to one real server, a server killed and
// restarted under a run, and overload (a fake server, since the real one will not refuse or drop
// on demand).

let dir: string;
const servers: ListeningServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-connect-faults-'));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function track(server: Promise<ListeningServer>): Promise<ListeningServer> {
  servers.push(await server);
  return servers.at(-1)!;
}

/** The ok count the state files show so far. */
async function okSoFar(stateDir: string): Promise<number> {
  const files = await readdir(stateDir).catch(() => [] as string[]);
  let ok = 0;
  for (const file of files.filter((name) => name.endsWith('.json'))) {
    ok += ((JSON.parse(await readFile(path.join(stateDir, file), 'utf8').catch(() => '{}')) as Partial<InstanceState>).counters?.ok ?? 0);
  }
  return ok;
}

describe('one real server, many connections', () => {
  it('8 connections do 10,000 requests, all ok', async () => {
    const server = await track(startRealServer(path.join(dir, 'many'), { ws: true }));
    const records = path.join(dir, 'many.jsonl');
    const { exitCode, report } = await casRun(['--connect', server.url, '--instances', '8', '--concurrency', '8', '--requests', '10000', '--records', records]);
    expect(exitCode).toBe(0);
    expect(report.requests).toMatchObject({ total: 10_000, ok: 10_000, failed: 0 });
    expect(report.instances).toMatchObject({ requested: 8, started: 8, failed: [] });
    expect(report.perInstance.every((instance) => instance.requests > 0 && instance.transport === 'ws')).toBe(true);
    await expectAccounted(report, records);
  });

  it('reconnects with backoff when the server is killed and restarted under a run: every request gets one result', async () => {
    const server = await track(startRealServer(path.join(dir, 'killed'), { ws: true }));
    const runDir = path.join(dir, 'run-killed');
    const records = path.join(dir, 'killed.jsonl');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--connect', server.url, '-n', '4', '--concurrency', '4', '--requests', '4000', '--records', records, '--run-dir', runDir, '--startup-retries', '10'], { cwd: ROOT, reject: false });
    await until(async () => (await okSoFar(path.join(runDir, 'state'))) >= 400, 60_000);
    await server.kill('SIGKILL');
    await server.restart();
    const result = await run;
    const report = JSON.parse(String(result.stdout)) as RunReport;
    expect(result.exitCode).toBe(0);
    // thread/list only reads: those in flight when the server died were retried after the reconnect.
    expect(report.requests).toMatchObject({ total: 4000, ok: 4000, failed: 0 });
    expect(report.requests.retries).toBeGreaterThan(0);
    expect(report.instances.restarts).toBeGreaterThanOrEqual(4);
    for (const instance of report.perInstance) expect(instance.restarts).toBeGreaterThanOrEqual(1);
    await expectAccounted(report, records);
  });

  it('a write in flight when the connection drops fails as exited, and is not sent again', async () => {
    const server = await track(startRealServer(path.join(dir, 'writes'), { ws: true }));
    const runDir = path.join(dir, 'run-writes');
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--connect', server.url, '-n', '2', '--concurrency', '4', '--method', 'thread/start', '--requests', '40', '--run-dir', runDir, '--startup-retries', '10'], { cwd: ROOT, reject: false });
    await until(async () => (await okSoFar(path.join(runDir, 'state'))) >= 10, 60_000);
    await server.kill('SIGKILL');
    await server.restart();
    const report = JSON.parse(String((await run).stdout)) as RunReport;
    await expectAccounted(report);
    expect(report.requests.total).toBe(40);
    expect(report.requests.failed).toBeGreaterThan(0);
    expect(report.errors.every((error) => error.code === 'exited')).toBe(true);
    expect(report.requests.retries).toBe(0);
  });
});

describe('overload over WebSocket (a fake server)', () => {
  it('retries -32001 and requests whose reply never comes; every request ends ok', async () => {
    const fake = await track(startFakeWsServer(['--overload-every=7', '--drop-every=40']));
    const records = path.join(dir, 'overload.jsonl');
    const { exitCode, report } = await casRun(['--connect', fake.url, '-n', '2', '--concurrency', '16', '--requests', '400', '--request-timeout-ms', '300', '--records', records, '--backoff-base-ms', '5', '--max-consecutive-timeouts', '0']);
    expect(exitCode).toBe(0);
    expect(report.requests).toMatchObject({ total: 400, ok: 400, failed: 0 });
    expect(report.requests.overloaded).toBeGreaterThan(0);
    expect(report.requests.timedOut).toBeGreaterThan(0);
    expect(report.instances.restarts).toBe(0);
    await expectAccounted(report, records);
  });

  it('recycles a connection that goes silent: a new connection, and the reads are retried on it', async () => {
    const fake = await track(startFakeWsServer(['--hang-after=100']));
    const { exitCode, report } = await casRun(['--connect', fake.url, '-n', '1', '--concurrency', '2', '--requests', '250', '--request-timeout-ms', '300', '--max-consecutive-timeouts', '2', '--max-restarts', '5']);
    expect(exitCode).toBe(0);
    expect(report.requests).toMatchObject({ total: 250, ok: 250, failed: 0 });
    expect(report.perInstance[0]!.restarts).toBeGreaterThanOrEqual(2);
    expect(report.perInstance[0]!.error).toMatch(/recycled/);
  });
});
