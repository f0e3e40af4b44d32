import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/report/run-report.js';
import { cas } from '../helpers/cas-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-original-commands-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the original cas runner\'s command line', () => {
  it('cas instance_runner takes its flags: --cwd, --params-json, --sample, --state-file-dir, --client-prefix, --verbose, auto decisions', async () => {
    const stateDir = path.join(dir, 'runner-state');
    const work = path.join(dir, 'work');
    await mkdir(work);
    const result = await cas([
      'instance_runner', '--cwd', work, '--instances', '2', '--params-json', '{"limit":1}', '--sample', '1', '--state-file-dir', stateDir,
      '--client-prefix', 'scout', '--server-request-timeout-ms', '5000', '--exec-approval', 'auto', '--file-approval', 'auto', '--skill-approval', 'approve', '--verbose', '--json',
    ]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as RunReport;
    // thread/list is the method when none is named, as in both original runners.
    expect(report).toMatchObject({ method: 'thread/list', params: { limit: 1 }, requests: { ok: 2 } });
    expect(report.samples).toHaveLength(1);
    expect((await readdir(stateDir)).sort()).toEqual(['instance-0.json', 'instance-1.json']);
    // Each instance introduced itself as <prefix>-<n>, n from 1.
    expect(report.codex.userAgent).toMatch(/\(scout-1; 0\.1\.0\)$/);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => /^\[start:\d\] ok \(pid \d+, \d+ ms\)$/.test(line))).toHaveLength(2);
    expect(lines.filter((line) => /^\[request:\d\] ok \(/.test(line))).toHaveLength(2);
  });

  it('cas smoke-check is cas smoke, with --cwd', async () => {
    const work = path.join(dir, 'smoke-work');
    await mkdir(work);
    const result = await cas(['smoke-check', '--cwd', work, '--json']);
    expect(result.exitCode).toBe(0);
    const smoke = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(smoke.ok).toBe(true);
    expect(smoke.checks.map((check) => check.name)).toEqual(['handshake', 'experimentalFeature/list', 'thread/start', 'thread/resume', 'turn/interrupt', 'turn/steer']);
  });
});
