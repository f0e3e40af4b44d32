import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceState } from '../../src/instance/state-file.js';
import { cas, casRun, isAlive } from '../helpers/cas-cli.js';
import { PINNED_CODEX_VERSION } from '../helpers/pinned-codex.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-it-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cas run against the real app-server', () => {
  it('runs 400 thread/list over 4 isolated instances, every one ok', async () => {
    const records = path.join(dir, 'records.jsonl');
    const stateDir = path.join(dir, 'state');
    const out = path.join(dir, 'report.json');
    const { exitCode, report, stderr } = await casRun([
      '--instances', '4', '--method', 'thread/list', '--params', '{"limit":5}',
      '--requests', '400', '--concurrency', '8', '--records', records, '--state-dir', stateDir, '--out', out,
    ]);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(report.requests).toMatchObject({ total: 400, ok: 400, failed: 0 });
    expect(report.instances).toEqual({ requested: 4, started: 4, restarts: 0, failed: [] });
    expect(report.codex.userAgent).toMatch(/^cas\/\d+\.\d+\.\d+/);
    // The pinned @openai/codex, run as the native binary its launcher would start.
    expect(report.codex).toMatchObject({ source: 'bundled', version: PINNED_CODEX_VERSION });
    expect(report.codex.path).toMatch(/@openai[/\\]codex-[a-z0-9-]+[/\\]vendor[/\\].*codex$/);

    // Isolation: the servers themselves report four different homes.
    const homes = report.perInstance.map((instance) => instance.codexHome);
    expect(new Set(homes).size).toBe(4);
    expect(report.perInstance.reduce((sum, instance) => sum + instance.ok, 0)).toBe(400);

    // The histogram is standard HdrHistogram: it decodes to one value per request.
    const histogram = hdr.decodeFromCompressedBase64(report.histogram);
    expect(histogram.totalCount).toBe(400);
    // Consistency, not speed: the decoded max agrees with the report's to the histogram's precision, whatever the latencies were.
    expect(Math.abs(histogram.maxValue / 1000 - report.latencyMs.max) / report.latencyMs.max).toBeLessThan(0.01);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p99);

    // One latency record per request, each sequence number once.
    const lines = (await readFile(records, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(400);
    expect(new Set(lines.map((line) => line.seq)).size).toBe(400);
    expect(lines.every((line) => line.ok === true && line.attempts === 1 && line.latencyMs > 0)).toBe(true);

    // State files: one per instance, final, with the counters and the server's facts.
    const states = await Promise.all(
      report.perInstance.map(async (instance) => JSON.parse(await readFile(instance.stateFile, 'utf8')) as InstanceState),
    );
    expect((await readdir(stateDir)).sort()).toEqual(['instance-0.json', 'instance-1.json', 'instance-2.json', 'instance-3.json']);
    expect(states.map((state) => state.status)).toEqual(['closed', 'closed', 'closed', 'closed']);
    expect(states.reduce((sum, state) => sum + state.counters.sent, 0)).toBe(400);
    expect(states.map((state) => state.codexHome)).toEqual(homes);
    expect(states.every((state) => state.userAgent === report.codex.userAgent && state.endedAt !== null)).toBe(true);

    // --out holds the same report; no app-server outlives the run.
    expect(JSON.parse(await readFile(out, 'utf8')).requests).toEqual(report.requests);
    for (const instance of report.perInstance) expect(isAlive(instance.pid!)).toBe(false);
  });

  it('survives real -32001 overload: 2 instances, 300 in flight each', async () => {
    const { exitCode, report } = await casRun([
      '--instances', '2', '--method', 'thread/list', '--params', '{"limit":1}',
      '--requests', '8000', '--concurrency', '300', '--request-timeout-ms', '3000', '--samples', '0',
    ]);
    expect(report.requests.overloaded).toBeGreaterThan(0);
    expect(report.requests.retries).toBeGreaterThanOrEqual(report.requests.overloaded);
    expect(report.requests).toMatchObject({ total: 8000, ok: 8000, failed: 0 });
    expect(report.perInstance.reduce((sum, instance) => sum + instance.overloaded, 0)).toBe(report.requests.overloaded);
    expect(exitCode).toBe(0);
  });

  it('shares one home without {i}, and makes one per instance with it', async () => {
    const shared = path.join(dir, 'shared-home');
    const one = await casRun(['--instances', '3', '--method', 'thread/list', '--codex-home', shared]);
    expect(one.exitCode).toBe(0);
    expect(one.report.instances.started).toBe(3);
    expect(new Set(one.report.perInstance.map((instance) => instance.codexHome))).toEqual(new Set([shared]));

    const each = await casRun(['--instances', '2', '--method', 'thread/list', '--codex-home', path.join(dir, 'home-{i}')]);
    expect(each.report.perInstance.map((instance) => instance.codexHome)).toEqual([path.join(dir, 'home-0'), path.join(dir, 'home-1')]);
    expect((await readdir(path.join(dir, 'home-1'))).some((file) => file.startsWith('state_'))).toBe(true);
  });

  it('copies the template into fresh homes and never prints the secret', async () => {
    const template = path.join(dir, 'template');
    await mkdir(template);
    await writeFile(path.join(template, 'config.toml'), 'model = "gpt-test"\n');
    await writeFile(path.join(template, 'auth.json'), '{"OPENAI_API_KEY":"sk-test-DO-NOT-PRINT-1234"}');
    const runDir = path.join(dir, 'run-with-template');
    const result = await casRun(['--instances', '2', '--method', 'config/read', '--run-dir', runDir, '--codex-home-template', template, '--samples', '2']);
    expect(result.exitCode).toBe(0);
    for (const index of [0, 1]) {
      const home = path.join(runDir, 'homes', String(index));
      expect((await stat(path.join(home, 'auth.json'))).mode & 0o777).toBe(0o600);
      expect(await readFile(path.join(home, 'config.toml'), 'utf8')).toBe('model = "gpt-test"\n');
    }
    // The config the servers read is the template's.
    expect(JSON.stringify(result.report.samples[0])).toContain('gpt-test');
    expect(result.stdout + result.stderr).not.toContain('sk-test-DO-NOT-PRINT');
  });

  it('removes its temp run dir unless asked to keep it', async () => {
    const { report } = await casRun(['--method', 'thread/list']);
    const runDir = path.dirname(path.dirname(report.perInstance[0]!.codexHome!));
    await expect(stat(runDir)).rejects.toThrow(/ENOENT/);
    const kept = await casRun(['--method', 'thread/list', '--keep-run-dir']);
    const keptDir = path.dirname(path.dirname(kept.report.perInstance[0]!.codexHome!));
    expect((await stat(keptDir)).mode & 0o777).toBe(0o700);
    await rm(keptDir, { recursive: true, force: true });
  });

  it('prints a short human summary without --json', async () => {
    const { exitCode, stdout } = await cas(['run', '--instances', '2', '--method', 'thread/list', '--requests', '20']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^cas run thread\/list: 20 requests on 2\/2 instances/);
    expect(stdout).toMatch(/ok 20, failed 0/);
    expect(stdout).toMatch(/latency ms: min [\d.]+ {2}p50/);
  });
});

describe('cas request', () => {
  it('prints the raw result JSON on stdout', async () => {
    const { exitCode, stdout, stderr } = await cas(['request', '--method', 'thread/list', '--params-json', '{"limit":2}']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({ data: [], readStates: {}, nextCursor: null, backwardsCursor: null });
  });

  it('passes --codex-arg through to the app-server, dash-leading values included', async () => {
    const { exitCode, stdout } = await cas(['request', '--method', 'config/read', '--codex-arg', '-c', '--codex-arg', 'model="o3-from-cas"']);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout).config.model).toBe('o3-from-cas');
  });

  it('reports a JSON-RPC error in one line and exits 1', async () => {
    const { exitCode, stdout, stderr } = await cas(['request', '--method', 'thread/read', '--params', '{"threadId":"nope"}']);
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^cas: thread\/read failed: -326\d\d /);
  });
});
