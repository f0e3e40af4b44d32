import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { MineReport } from '../../src/mine/run-mine.js';
import type { LatencyRecord } from '../../src/report/run-stats.js';
import { cas, casRun } from '../helpers/cas-cli.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';
import { chatgptHome, startUsageStub, type StubAnswer, type UsageStub } from '../helpers/usage-stub.js';

// The real app-server reads rate limits from `<chatgpt_base_url>/backend-api/wham/usage`; a
// loopback stub answers there, so budget pacing runs offline against the real server.
const HOURS_5 = 300;
/** A five-hour window, `used`% spent, half of it gone by (so used 50% is on track). */
const halfway = (used: number): StubAnswer => ({ primary: { usedPercent: used, windowMinutes: HOURS_5, resetsIn: HOURS_5 * 30 } });
/** Critical (97% used), resetting in two seconds. */
const CRITICAL_FOR_2S: StubAnswer = { primary: { usedPercent: 97, windowMinutes: HOURS_5, resetsIn: 2 } };

let dir: string;
let stubs: UsageStub[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-budget-'));
});
afterEach(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
  stubs = [];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A ChatGPT-logged-in home whose usage endpoint answers `answers`, in turn. */
async function homeWith(name: string, answers: StubAnswer[]): Promise<{ home: string; stub: UsageStub }> {
  const stub = await startUsageStub(answers);
  stubs.push(stub);
  return { home: await chatgptHome(path.join(dir, name), stub), stub };
}

describe('cas rate-limits', () => {
  it('prints the normalized snapshot: per window and the stricter overall', async () => {
    const { home } = await homeWith('read', [{ primary: { usedPercent: 42, windowMinutes: HOURS_5, resetsIn: HOURS_5 * 30 }, secondary: { usedPercent: 10, windowMinutes: 10_080, resetsIn: 10_080 * 30 } }]);
    const json = await cas(['rate-limits', '--codex-home', home, '--json']);
    expect(json.exitCode).toBe(0);
    const budget = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(budget).toMatchObject({ ok: true, bucketKey: 'codex', planType: 'pro', tier: 'on_track', windowKind: 'primary', usedPercent: 42, windowDurationMins: 300 });
    expect(budget.primary).toMatchObject({ tier: 'on_track', usedPercent: 42 });
    expect(budget.secondary).toMatchObject({ tier: 'surplus', usedPercent: 10, windowDurationMins: 10_080 });
    const text = await cas(['rate-limits', '--codex-home', home]);
    expect(text.stdout).toMatch(/^tier=on_track tier_reason=delta_lt_10\nused_percent=42\n/);
    expect(text.stdout).toMatch(/^secondary: used 10% of 10080 min, .* tier surplus/m);
  });

  it('fails in one line without a ChatGPT login, and refuses a home that is not there', async () => {
    const noLogin = path.join(dir, 'no-login');
    await mkdir(noLogin);
    const { exitCode, stderr } = await cas(['rate-limits', '--codex-home', noLogin]);
    expect(exitCode).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect((await cas(['rate-limits', '--codex-home', path.join(dir, 'no-such-home')])).exitCode).toBe(2);
  });
});

describe('--budget-pacing', () => {
  it('tight: cas run sends one request at a time, whatever --concurrency says, and reports the tier', async () => {
    const { home } = await homeWith('tight', [halfway(70)]);
    const records = path.join(dir, 'tight-records.jsonl');
    const { report, stderr } = await casRun(['--budget-pacing', '--codex-home', home, '--method', 'thread/list', '--requests', '8', '--concurrency', '4', '--records', records]);
    expect(report.requests).toMatchObject({ total: 8, ok: 8 });
    expect(report.budget!.timeline).toEqual([expect.objectContaining({ source: 'read', tier: 'tight', limit: 1, windowKind: 'primary', usedPercent: 70 })]);
    expect(stderr).toContain('cas: budget tight (primary window 70% used): one request at a time');
    // None overlapped: each started once the one before had its reply.
    const lines = (await readFile(records, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as LatencyRecord).sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.startMs).toBeGreaterThanOrEqual(lines[i - 1]!.startMs + lines[i - 1]!.latencyMs - 1);
  });

  it('critical: dispatches nothing until the window resets, says so, then reads the budget again and goes on', async () => {
    const { home } = await homeWith('critical', [CRITICAL_FOR_2S, halfway(5)]);
    const { report, stderr } = await casRun(['--budget-pacing', '--codex-home', home, '--method', 'thread/list', '--requests', '3', '--concurrency', '2']);
    expect(report.requests).toMatchObject({ total: 3, ok: 3 });
    expect(report.budget!.timeline.map((change) => [change.source, change.tier, change.limit])).toEqual([
      ['read', 'critical', 0],
      ['reset', 'surplus', null],
    ]);
    expect(report.budget!.timeline[0]!.until).toEqual(expect.any(String));
    expect(report.budget).toMatchObject({ reads: 2, tier: 'surplus' });
    expect(report.budget!.waitedMs).toBeGreaterThan(0);
    expect(stderr).toMatch(/cas: budget critical \(primary window 97% used\): dispatching nothing new until the window resets at \d{4}-/);
    expect(stderr).toContain('cas: budget surplus');
  });

  it('follows account/rateLimits/updated during turns (the real server, the mock model reporting its limits)', async () => {
    const { home } = await homeWith('updates', [halfway(5)]);
    const script = path.join(dir, 'limits-script.json');
    await writeFile(
      script,
      JSON.stringify({
        steps: [
          { text: 'spent', rateLimits: { primary: { usedPercent: 97, windowMinutes: HOURS_5, resetsInSeconds: 2 } } },
          { text: 'fresh', rateLimits: { primary: { usedPercent: 5, windowMinutes: HOURS_5, resetsInSeconds: HOURS_5 * 30 } } },
        ],
      }),
    );
    const { report } = await casRun(['--budget-pacing', '--codex-home', home, '--method', 'turn/start', '--mock-model', '--mock-script', script, '--requests', '3']);
    expect(report.requests).toMatchObject({ total: 3, ok: 3 });
    expect(report.budget!.timeline.slice(0, 3).map((change) => [change.source, change.tier])).toEqual([
      ['read', 'surplus'],
      ['update', 'critical'],
      ['reset', 'surplus'],
    ]);
    expect(report.budget!.updates).toBeGreaterThanOrEqual(2);
  });

  it('batch and mine are paced the same way', async () => {
    const { home } = await homeWith('workloads', [halfway(70)]);
    const input = path.join(dir, 'requests.jsonl');
    await writeFile(input, `${Array.from({ length: 4 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } })).join('\n')}\n`);
    const batchReport = path.join(dir, 'batch-report.json');
    const batch = await cas(['batch', '--budget-pacing', '--codex-home', home, '--input', input, '--out', path.join(dir, 'out.jsonl'), '--concurrency', '4', '--report', batchReport]);
    expect(batch.exitCode).toBe(0);
    const batchSummary = JSON.parse(await readFile(batchReport, 'utf8')) as BatchReport;
    expect(batchSummary.lines.written).toBe(4);
    expect(batchSummary.budget!.timeline[0]).toMatchObject({ tier: 'tight', limit: 1 });
    const mineReport = path.join(dir, 'mine-report.json');
    const mine = await cas(['mine', '--budget-pacing', '--codex-home', home, '--report', mineReport]);
    expect(mine.exitCode).toBe(0);
    const mineSummary = JSON.parse(await readFile(mineReport, 'utf8')) as MineReport;
    expect(mineSummary.homes[0]).toMatchObject({ done: true });
    expect(mineSummary.budget!.timeline[0]).toMatchObject({ tier: 'tight', limit: 1 });
  });

  it('the proxy holds requests while critical, says so, and sends them once the window resets', async () => {
    const { home } = await homeWith('proxy', [CRITICAL_FOR_2S, halfway(5)]);
    const proxy = new ProxyDriver(['--budget-pacing'], { env: { CODEX_HOME: home } });
    const critical = await proxy.waitFor((event) => event.type === 'cas/budget');
    expect(critical).toMatchObject({ tier: 'critical', limit: 0, until: expect.any(String), message: expect.stringMatching(/^budget critical/) });
    await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.send({ type: 'cas/request', clientRequestId: 'held', method: 'thread/list', params: {} }, { type: 'cas/stats/get' });
    const stats = await proxy.waitFor((event) => event.type === 'cas/stats');
    expect(stats.snapshot).toMatchObject({ queuedRequests: 1, budget: { tier: 'critical', limit: 0 } });
    const reply = await proxy.reply('held');
    const freed = proxy.ofType('cas/budget').find((event) => event.tier === 'surplus')!;
    const sent = proxy.ofType('cas/toServer').find((event) => event.clientRequestId === 'held')!;
    expect(freed.seq).toBeLessThan(sent.seq);
    expect(reply.kind).toBe('response');
    // The budget reads are cas's own, and say why they went.
    expect(proxy.ofType('cas/toServer').filter((event) => event.method === 'account/rateLimits/read').map((event) => [event.reason, event.clientRequestId])).toEqual([
      ['budgetPacing', 'cas/account/rateLimits/read'],
      ['budgetPacing', 'cas/account/rateLimits/read'],
    ]);
    expect((await proxy.exit()).exitCode).toBe(0);
  });
});
