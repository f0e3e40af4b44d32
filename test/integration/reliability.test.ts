import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/report/run-report.js';
import { expectAccounted } from '../helpers/accounting.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';
import { pidsIn, until } from '../helpers/run-watch.js';
import { CAS_BIN, cas, casRun, fixture, isAlive, ROOT } from '../helpers/cas-cli.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-faults-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const records = () => path.join(dir, `records-${++n}.jsonl`);



describe('an instance that dies or hangs', () => {
  it('restarts a real app-server killed mid-run and retries its in-flight reads: nothing lost', async () => {
    const stateDir = path.join(dir, 'killed-state');
    const file = records();
    const run = execa(process.execPath, [CAS_BIN, 'run', '--json', '--instances', '2', '--method', 'thread/list', '--params', '{"limit":1}', '--duration', '4', '--concurrency', '8', '--state-dir', stateDir, '--records', file], { cwd: ROOT, reject: false });
    await until(async () => (await pidsIn(stateDir)).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [victim] = await pidsIn(stateDir);
    process.kill(victim!, 'SIGKILL');
    const result = await run;
    const report = JSON.parse(String(result.stdout)) as RunReport;
    expect(result.exitCode).toBe(0);
    expect(report.instances.restarts).toBe(1);
    expect(report.perInstance.find((instance) => instance.restarts === 1)?.error).toMatch(/killed by SIGKILL/);
    expect(report.requests.failed).toBe(0);
    await expectAccounted(report, file);
    for (const instance of report.perInstance) expect(isAlive(instance.pid!)).toBe(false);
    expect(isAlive(victim!)).toBe(false);
  });

  it('fails writes in flight on a crash with the reason, and retries the reads', async () => {
    const read = await casRun(['--codex-bin', fixture('crash-after.mjs'), '--codex-arg=--answers=3', '--method', 'thread/list', '--requests', '12', '--concurrency', '3', '--max-restarts', '5', '--records', records()]);
    expect(read.report.requests).toMatchObject({ total: 12, ok: 12, failed: 0 });
    expect(read.report.instances.restarts).toBeGreaterThan(0);
    await expectAccounted(read.report);
    const write = await casRun(['--codex-bin', fixture('crash-after.mjs'), '--codex-arg=--answers=3', '--method', 'thread/start', '--requests', '12', '--concurrency', '3', '--max-restarts', '5']);
    expect(write.report.requests.failed).toBeGreaterThan(0);
    expect(write.report.errors.every((error) => error.code === 'exited' && /exited with code 70/.test(error.message))).toBe(true);
    await expectAccounted(write.report);
  });

  it('gives up on an instance after --max-restarts, and accounts for every request', async () => {
    const file = records();
    const { report, exitCode } = await casRun(['--codex-bin', fixture('crash-after.mjs'), '--codex-arg=--answers=2', '--method', 'thread/list', '--requests', '30', '--max-restarts', '2', '--retries', '1', '--backoff-base-ms', '1', '--records', file]);
    expect(exitCode).toBe(1);
    expect(report.perInstance[0]).toMatchObject({ restarts: 2, status: 'exited' });
    expect(report.requests.total).toBe(30);
    await expectAccounted(report, file);
  });

  it('recycles an app-server that stops answering altogether', async () => {
    const file = records();
    const { report, exitCode } = await casRun(['--codex-bin', fixture('hangs-after.mjs'), '--codex-arg=--answers=8', '--method', 'thread/list', '--requests', '20', '--request-timeout-ms', '300', '--records', file]);
    expect(exitCode).toBe(0);
    expect(report.requests).toMatchObject({ total: 20, ok: 20 });
    expect(report.perInstance[0]!.restarts).toBe(2);
    expect(report.perInstance[0]!.error).toMatch(/^recycled: 3 requests in a row got no reply from a silent app-server/);
    await expectAccounted(report, file);
  });

  it('retries dropped replies of a live server without recycling it', async () => {
    const { report } = await casRun(['--codex-bin', fixture('drops-every.mjs'), '--codex-arg=--every=4', '--method', 'thread/list', '--requests', '40', '--concurrency', '4', '--request-timeout-ms', '300']);
    expect(report.requests).toMatchObject({ total: 40, ok: 40 });
    expect(report.requests.timedOut).toBeGreaterThan(5);
    expect(report.instances.restarts).toBe(0);
    await expectAccounted(report);
  });

  it('skips lines of 11 MB and 70 MB on stdout without losing a reply', async () => {
    const { report } = await casRun(['--codex-bin', fixture('huge-lines.mjs'), '--method', 'thread/list', '--requests', '3']);
    expect(report.requests.ok).toBe(3);
    expect(report.perInstance[0]!.skippedLines).toBe(2);
    await expectAccounted(report);
  });
});

describe('start-up', () => {
  it('goes on with the instances that started, or stops with --require-all', async () => {
    const homes = path.join(dir, 'mixed-homes');
    // With --require-all, one failed start is enough to stop; when all start, the run goes on.
    const bad = await cas(['run', '--codex-bin', fixture('exit-at-start.mjs'), '--instances', '2', '--method', 'thread/list', '--require-all', '--startup-retries', '0']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^cas: instance \d failed to start \(--require-all\): .*exit-at-start\.mjs.*database is locked/);
    const good = await casRun(['--codex-bin', fixture('slow-first-home.mjs'), '--codex-arg=--delay-ms=1', '--codex-home', path.join(homes, '{i}'), '--instances', '2', '--method', 'thread/list', '--require-all']);
    expect(good.exitCode).toBe(0);
    await expectAccounted(good.report);
  });
});

describe('secrets', () => {
  it('never prints a token a server returns, nor one from the environment', async () => {
    const secret = 'sk-cas-test-0123456789abcdef';
    // A fake server that hands out a token, and echoes the secret it finds in its environment.
    const result = await cas(['request', '--codex-bin', fixture('leaks-token.mjs'), '--method', 'account/read'], { env: { CAS_TEST_API_KEY: secret } });
    expect(result.exitCode).toBe(0);
    const answer = JSON.parse(result.stdout) as { accessToken: string; apiKey: string; note: string; tokenUsage: { totalTokens: number } };
    expect(answer.accessToken).toBe('[redacted]');
    expect(answer.note).not.toContain(secret);
    // Counts named like tokens are not secrets.
    expect(answer.tokenUsage.totalTokens).toBe(42);
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('keeps a secret a server quotes in an error out of stderr and state files, and prints nothing on stdout', async () => {
    const secret = 'sk-cas-test-fedcba9876543210';
    const stateDir = path.join(dir, 'secret-state');
    const failed = await cas(['request', '--codex-bin', fixture('leaks-token.mjs'), '--codex-arg=--fail=1', '--method', 'account/read', '--state-dir', stateDir], {
      env: { CAS_TEST_API_KEY: secret },
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^cas: account\/read failed: -32603 upstream refused key \[redacted\]$/);
    const state = await readFile(path.join(stateDir, 'instance-0.json'), 'utf8');
    expect(JSON.parse(state).lastError).toBe('upstream refused key [redacted]');
    expect(state).not.toContain(secret);
  });

  it('the proxy redacts secrets a server writes escaped (\\u escapes; a password holding " and \\)', async () => {
    const key = 'sk-cas-test-1122334455667788';
    const password = 'pa"ss\\word-0123456789';
    const proxy = new ProxyDriver(['--codex-bin', fixture('leaks-escaped.mjs')], { env: { CAS_TEST_API_KEY: key, CAS_TEST_PASSWORD: password } });
    proxy.send({ type: 'cas/request', clientRequestId: 'leak', method: 'account/read', params: {} });
    const reply = await proxy.waitFor((event) => event.type === 'cas/fromServer' && event.clientRequestId === 'leak');
    proxy.process.stdin!.end();
    const { exitCode, stderr } = await proxy.ended();
    expect(exitCode).toBe(0);
    expect(reply).toMatchObject({ redacted: true, msg: { result: { key: '[redacted]', note: 'the password is [redacted]' } } });
    const everything = proxy.events.map((event) => event.raw).join('\n') + stderr;
    for (const form of [key, password, JSON.stringify(password).slice(1, -1), key.slice(0, 12)]) expect(everything).not.toContain(form);
  });

  it('keeps a secret out of a start-up failure', async () => {
    const secret = 'sk-cas-test-aaaabbbbccccdddd';
    const result = await cas(['request', '--codex-bin', fixture('leaks-token.mjs'), '--codex-arg=--die=1', '--startup-retries', '0', '--method', 'account/read'], {
      env: { CAS_TEST_API_KEY: secret },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cas: app-server failed to start: .*bad credentials \[redacted\]/);
    expect(result.stderr).not.toContain(secret);
  });
});
