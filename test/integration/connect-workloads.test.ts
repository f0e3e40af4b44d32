import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { MineReport } from '../../src/mine/run-mine.js';
import type { SmokeResult } from '../../src/smoke/smoke-result.js';
import { PINNED_CODEX_VERSION } from '../helpers/pinned-codex.js';
import { cas, casRun } from '../helpers/cas-cli.js';
import { startRealServer, type ListeningServer } from '../helpers/listening-server.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';

// Every workload against one running server: batch, mine, request, smoke and proxy take
// --connect like run does.

const THREADS = 12;
let dir: string;
let home: string;
let server: ListeningServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-connect-workloads-'));
  home = path.join(dir, 'home');
  // Threads made by real turns (cas starts these servers), then a server of its own on that home.
  const { report } = await casRun(['--method', 'turn/start', '--mock-model', '--fresh-thread', '--codex-home', home, '--requests', String(THREADS), '--concurrency', '4', '--codex-arg', '-c', '--codex-arg', 'features.shell_snapshot=false']);
  expect(report.requests.ok).toBe(THREADS);
  server = await startRealServer(home, { ws: true });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('workloads over --connect', () => {
  it('batch: results in input order over two connections', async () => {
    const input = ['{"id":"a","method":"thread/list","params":{"limit":1}}', 'oops', '{"id":"b","method":"model/list","params":{}}'].join('\n');
    const reportFile = path.join(dir, 'batch-report.json');
    const { exitCode, stdout } = await cas(['batch', '--connect', server.url, '-i', '-', '-n', '2', '--report', reportFile], { input });
    expect(exitCode).toBe(1);
    const results = stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string | null; ok: boolean });
    expect(results.map((result) => [result.id, result.ok])).toEqual([['a', true], [null, false], ['b', true]]);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as BatchReport;
    expect(report.perInstance.map((instance) => instance.transport)).toEqual(['ws', 'ws']);
  });

  it('mine: every thread of the home the server runs on, the URL standing for the home', async () => {
    const reportFile = path.join(dir, 'mine-report.json');
    const out = path.join(dir, 'threads.jsonl');
    const { exitCode } = await cas(['mine', '--connect', server.url, '--read', '-n', '2', '--page-size', '5', '--out', out, '--report', reportFile]);
    expect(exitCode).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { codexHome: string; thread: { id: string; turns: unknown[] } });
    expect(new Set(lines.map((line) => line.thread.id)).size).toBe(THREADS);
    expect(lines.every((line) => line.codexHome === server.url && line.thread.turns.length === 1)).toBe(true);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as MineReport;
    expect(report.homes).toMatchObject([{ home: server.url, done: true, threads: THREADS }]);
    expect(report.perInstance.every((instance) => instance.codexHome === home)).toBe(true);
  });

  it('request: one raw result', async () => {
    const { exitCode, stdout } = await cas(['request', '--connect', server.url, '--method', 'thread/list', '--params', '{"limit":2}']);
    expect(exitCode).toBe(0);
    expect((JSON.parse(stdout) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('smoke: every check, its turns pointed at the loopback model through the thread config', async () => {
    const { exitCode, stdout, stderr } = await cas(['smoke', '--connect', server.url, '--json']);
    const result = JSON.parse(stdout) as SmokeResult;
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(result.checks[0]!.detail).toContain(server.url);
    expect(result.codex).toMatchObject({ path: server.url, source: 'connect', version: PINNED_CODEX_VERSION });
    expect(stderr).toContain(`6 of 6 checks ok; server ${PINNED_CODEX_VERSION}: ${server.url} (--connect)`);
  });

  it('proxy: ready over the socket, requests answered, the server left running', async () => {
    const proxy = new ProxyDriver(['--connect', server.url]);
    const ready = await proxy.waitFor((event) => event.type === 'cas/ready');
    expect(ready).toMatchObject({ codexHome: home });
    expect(ready.appServerPid).toBeNull();
    expect(ready.pid).toBe(proxy.process.pid);
    proxy.send({ type: 'cas/request', clientRequestId: 'r1', method: 'thread/list', params: { limit: 1 } });
    expect((await proxy.reply('r1')).msg).toHaveProperty('result.data');
    const { exitCode } = await proxy.exit();
    expect(exitCode).toBe(0);
    expect((await cas(['request', '--connect', server.url, '--method', 'thread/list'])).exitCode).toBe(0);
  });
});

describe('usage errors with --connect', () => {
  it.each([
    ['a home', ['run', '--connect', 'ws://127.0.0.1:1', '--codex-home', '/tmp/h'], /--codex-home is for servers cas starts; with --connect the server is already running/],
    ['a template', ['batch', '-i', '-', '--connect', 'ws://127.0.0.1:1', '--codex-home-template', '/tmp/t'], /--codex-home-template is for servers cas starts/],
    ['a codex binary', ['request', '-m', 'thread/list', '--connect', 'daemon', '--codex-bin', '/bin/true'], /--codex-bin is for servers cas starts/],
    ['mine with homes', ['mine', '--connect', 'ws://127.0.0.1:1', '--codex-home', '/tmp'], /with --connect each server mines its own home/],
    ['--listen too', ['run', '--connect', 'ws://127.0.0.1:1', '--listen', 'ws'], /give one of them/],
    ['a URL that is no endpoint', ['run', '--connect', 'http://127.0.0.1:1'], /--connect http:\/\/127\.0\.0\.1:1: expected ws:\/\/HOST:PORT/],
    ['a URL without a port', ['run', '--connect', 'ws://localhost'], /name the host and port/],
    ['a token in the URL', ['run', '--connect', 'ws://127.0.0.1:4500/?token=s3cr3t'], /put no credentials or query in the URL/],
    ['fewer connections than URLs', ['run', '--connect', 'ws://127.0.0.1:1', '--connect', 'ws://127.0.0.1:2'], /--instances 1 is fewer than the 2 --connect URLs/],
    ['two URLs for one server', ['proxy', '--connect', 'ws://127.0.0.1:1', '--connect', 'ws://127.0.0.1:2'], /this command uses one server/],
    ['a mock model', ['run', '--connect', 'ws://127.0.0.1:1', '--mock-model'], /a server reached with --connect uses its own/],
    ['a missing token file', ['run', '--connect', 'ws://127.0.0.1:1', '--ws-token-file', '/nonexistent/token'], /--ws-token-file \/nonexistent\/token: no such file/],
    ['a token file that is a directory', ['run', '--connect', 'ws://127.0.0.1:1', '--ws-token-file', '/tmp'], /not a regular file/],
    ['both token files', ['run', '--connect', 'ws://127.0.0.1:1', '--ws-token-file', '/a', '--ws-bearer-token-file', '/b'], /give one of --ws-token-file and --ws-bearer-token-file/],
    ['a token without a socket', ['run', '--ws-token-file', '/etc/hostname'], /--ws-token-file goes with --connect or --listen ws/],
    ['an unknown transport', ['run', '--listen', 'tcp'], /--listen must be stdio, ws or unix/],
  ])('%s: exit 2, one line', async (_name, args, message) => {
    const { exitCode, stdout, stderr } = await cas(args);
    expect(stderr).toMatch(message);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toContain('s3cr3t');
  });

  it('--help lists the transport flags a command uses, and only those', async () => {
    for (const command of ['run', 'batch', 'mine', 'request', 'proxy']) {
      const { stdout } = await cas([command, '--help']);
      for (const flag of ['--connect', '--listen', '--ws-token-file', '--ws-bearer-token-file']) expect(stdout, `${command} ${flag}`).toContain(flag);
    }
    const smoke = (await cas(['smoke', '--help'])).stdout;
    expect(smoke).toContain('--connect');
    expect(smoke).not.toContain('--listen');
    expect((await cas(['mock-model', '--help'])).stdout).not.toContain('--connect');
  });
});
