import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/report/compare/compare-reports.js';
import type { CompareBinsResult } from '../../src/runner/compare-bins.js';
import { cas, fixture, ROOT } from '../helpers/cas-cli.js';
import { syntheticReport, type SyntheticRun } from '../helpers/synthetic-report.js';

let dir: string;
const file = (name: string) => path.join(dir, name);
const BASE: SyntheticRun = { seconds: 12, perSecond: 200, medianMs: 10, sigma: 0.3, seed: 1 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-compare-'));
  // Known distributions, made deterministically: B is 30% slower than A; A2 is A's law with another seed.
  await writeFile(file('a.json'), JSON.stringify(syntheticReport(BASE)));
  await writeFile(file('b.json'), JSON.stringify(syntheticReport({ ...BASE, medianMs: 13, seed: 2 })));
  await writeFile(file('a2.json'), JSON.stringify(syntheticReport({ ...BASE, seed: 99 })));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cas compare on reports of known latency distributions', () => {
  it('finds a slower B beyond noise, and says how noise was judged', async () => {
    const result = await cas(['compare', file('a.json'), file('b.json')]);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('cas compare: B against A');
    expect(lines.find((line) => line.trimStart().startsWith('p50 ms'))).toMatch(/^ {2}p50 ms +10\.0\d +13\.\d+ +1\.\d{3} +\d+\.\d% worse +yes \(t [\d.]+, beyond at \|t\| > [\d.]+\)$/);
    expect(result.stdout).toMatch(/noise: each run's per-second values .* Welch's t-test .* 99\.9% \(two-sided\)/);
  });

  it('as a CI gate: exit 3 beyond --max-regression, 0 within it', async () => {
    const gated = await cas(['compare', file('a.json'), file('b.json'), '--max-regression', '10', '--json']);
    expect(gated.exitCode).toBe(3);
    expect(gated.stderr).toBe('cas: regression beyond --max-regression 10%: p50, p90, p99');
    const comparison = JSON.parse(gated.stdout) as Comparison;
    expect(comparison.regressions).toEqual(['p50', 'p90', 'p99']);
    expect(comparison.metrics.find((m) => m.metric === 'p50')).toMatchObject({ noise: { beyond: true }, regressed: true });
    expect((await cas(['compare', file('a.json'), file('b.json'), '--max-regression', '50'])).exitCode).toBe(0);
  });

  it('finds nothing beyond noise between two runs of the same distribution', async () => {
    const same = await cas(['compare', file('a.json'), file('a2.json'), '--max-regression', '1', '--json']);
    expect(same.exitCode).toBe(0);
    const comparison = JSON.parse(same.stdout) as Comparison;
    expect(comparison.metrics.filter((m) => m.noise.beyond === true)).toEqual([]);
  });

  it('refuses a missing report or a bad flag with exit 2', async () => {
    expect((await cas(['compare', file('a.json'), file('nope.json')])).exitCode).toBe(2);
    expect((await cas(['compare', file('a.json')])).exitCode).toBe(2);
    expect((await cas(['compare', file('a.json'), file('b.json'), '--max-regression', '-5'])).stderr).toMatch(/^cas: --max-regression must not be negative/);
  });
});

describe('cas run --compare-bin on the real app-server', () => {
  it('runs the same workload on both in alternating rounds and finds no difference beyond noise', async () => {
    const codex = path.join(ROOT, 'node_modules', '.bin', 'codex');
    const result = await cas([
      'run', '--method', 'thread/list', '--params', '{"limit":1}', '--rate', '100', '--duration', '4', '--rounds', '4',
      '--compare-bin', codex, '--max-regression', '50', '--json', '--out', file('cmp.json'), '--html', file('cmp.html'),
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const { a, b, comparison } = JSON.parse(result.stdout) as CompareBinsResult;
    expect(JSON.parse(await readFile(file('cmp.json'), 'utf8'))).toEqual({ a, b, comparison });
    // Both did the whole workload, in four rounds each, and A and B took turns.
    for (const side of [a, b]) {
      expect(side.rounds).toHaveLength(4);
      expect(Math.abs(side.requests.total - 400)).toBeLessThanOrEqual(4);
      expect(side.perInstance[0]!.cpuSeconds).toBeGreaterThan(0);
    }
    const starts = [...a.rounds.map((r) => ['A', r.fromSecond] as const), ...b.rounds.map((r) => ['B', r.fromSecond] as const)].sort((x, y) => x[1] - y[1]).map(([side]) => side);
    expect(starts.join('')).toBe('ABBAABBA');
    expect(comparison.a.blocks).toEqual({ from: 'rounds', count: 4 });
    expect(comparison.metrics.filter((m) => m.noise.beyond === true).map((m) => m.metric)).toEqual([]);
    expect(comparison.regressions).toEqual([]);
    expect(await readFile(file('cmp.html'), 'utf8')).toContain('id="chart-distribution"');

    // Its two reports, compared again by cas compare, tell the same.
    await writeFile(file('side-a.json'), JSON.stringify(a));
    await writeFile(file('side-b.json'), JSON.stringify(b));
    const again = await cas(['compare', file('side-a.json'), file('side-b.json'), '--json']);
    expect((JSON.parse(again.stdout) as Comparison).metrics.map((m) => m.noise)).toEqual(comparison.metrics.map((m) => m.noise));
    // And cas report reads the comparison file whole.
    const shown = await cas(['report', file('cmp.json')]);
    expect(shown.stdout).toMatch(/^cas compare: B against A\n {2}A = --codex-bin: /);
    // A comparison is not a report to compare.
    expect((await cas(['compare', file('cmp.json'), file('side-a.json')])).stderr).toMatch(/is a comparison, not a report/);
  });

  it('finds a slower binary slower and fails the gate (exit 3)', async () => {
    // A answers at once; B 250 ms late: a regression no noise on a busy machine can hide.
    const result = await cas([
      'run', '--codex-bin', fixture('overload-n-times.mjs'), '--codex-arg=--overloads=0', '--compare-bin', fixture('answers-late.mjs'),
      '--method', 'thread/list', '--rate', '20', '--concurrency', '8', '--duration', '3', '--rounds', '6', '--max-regression', '20', '--json',
    ]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^cas: B regressed beyond --max-regression 20%: p50\b/);
    const { comparison } = JSON.parse(result.stdout) as CompareBinsResult;
    expect(comparison.metrics.find((m) => m.metric === 'p50')).toMatchObject({ noise: { beyond: true }, regressed: true });
    expect(comparison.metrics.find((m) => m.metric === 'p50')!.b).toBeGreaterThanOrEqual(250);
  });

  it('says what is wrong with its flags, exit 2', async () => {
    expect((await cas(['run', '--method', 'thread/list', '--rounds', '3'])).stderr).toBe('cas: --rounds needs --compare-bin');
    expect((await cas(['run', '--method', 'thread/list', '--compare-bin', file('no-codex')])).stderr).toBe(`cas: --compare-bin ${file('no-codex')}: not an executable file`);
    expect((await cas(['run', '--method', 'thread/list', '--compare-bin', 'node', '--requests', '3', '--rounds', '4'])).stderr).toBe('cas: --requests 3 is fewer than --rounds 4: each round needs one at least');
  });
});
