import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { MineReport } from '../../src/mine/run-mine.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cas, casRun, fixture } from '../helpers/cas-cli.js';

let dir: string;
let run: { summary: string; report: RunReport; html: string; csv: string };

const file = (name: string) => path.join(dir, name);
const readJson = async <T>(name: string) => JSON.parse(await readFile(file(name), 'utf8')) as T;
const CHARTS = ['chart-latency', 'chart-cpu', 'chart-throughput', 'chart-rss', 'chart-distribution'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-reports-'));
  // One real run serves several tests: 2 instances, a fixed rate, a warm-up, every output.
  const args = ['run', '--instances', '2', '--method', 'thread/list', '--params', '{"limit":1}', '--rate', '100', '--warmup', '1', '--duration', '3', '--concurrency', '4'];
  const result = await cas([...args, '--out', file('run.json'), '--html', file('run.html'), '--csv', file('run.csv')]);
  expect(result.exitCode, result.stderr).toBe(0);
  run = { summary: result.stdout, report: await readJson<RunReport>('run.json'), html: await readFile(file('run.html'), 'utf8'), csv: await readFile(file('run.csv'), 'utf8') };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('cas report renders reports of every kind', () => {
  it('a run: the same summary cas run printed, a page with every chart, the timeline as CSV', async () => {
    const shown = await cas(['report', file('run.json'), '--html', file('again.html'), '--csv', file('again.csv')]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toBe(run.summary);
    for (const html of [run.html, await readFile(file('again.html'), 'utf8')]) {
      for (const id of CHARTS) expect(html, id).toMatch(new RegExp(`<figure class="chart" id="${id}">(?:(?!</figure>).)*<path class="line"`, 's'));
      expect(html).toContain('Which codex ran');
      expect(html).toContain(run.report.codex.path);
    }
    expect(await readFile(file('again.csv'), 'utf8')).toBe(run.csv);
    const lines = run.csv.trim().split('\n');
    expect(lines[0]).toMatch(/^second,sent,completed,errors,overloaded,p50_ms,p90_ms,p99_ms,cpu_pct_0,rss_mb_0,/);
    expect(lines).toHaveLength(run.report.timeline.length + 1);
  });

  it('a batch and a mine, as their commands summed them up', async () => {
    await writeFile(file('requests.jsonl'), '{"method":"model/list","params":{}}\n{"method":"thread/list","params":{"limit":1}}\nnot json\n');
    const batch = await cas(['batch', '--input', file('requests.jsonl'), '--out', file('results.jsonl'), '--report', file('batch.json')]);
    expect(batch.exitCode).toBe(1); // the bad line
    const batchShown = await cas(['report', file('batch.json'), '--html', file('batch.html')]);
    expect(batchShown.stdout).toBe(batch.stderr.split('\n').filter((line) => !line.startsWith('cas: ')).join('\n'));
    expect((await readJson<BatchReport>('batch.json')).timeline.length).toBeGreaterThan(0);
    expect(await readFile(file('batch.html'), 'utf8')).toContain('<h1>cas batch');

    const home = file('home');
    await mkdir(home);
    const mine = await cas(['mine', '--codex-home', home, '--out', file('threads.jsonl'), '--report', file('mine.json')]);
    expect(mine.exitCode, mine.stderr).toBe(0);
    const mineShown = await cas(['report', file('mine.json'), '--html', file('mine.html')]);
    expect(mineShown.stdout).toBe(mine.stderr);
    expect(mineShown.stdout).toMatch(/^cas mine: 1 home, 0 new threads listed/);
    expect((await readJson<MineReport>('mine.json')).perInstance[0]!.cpuSeconds).toBeGreaterThan(0);
    expect(await readFile(file('mine.html'), 'utf8')).toContain('Homes mined');
  });

  it('a merge of real shards, shown as the run it adds up to', async () => {
    const shards = ['0/2', '1/2'].map((shard, index) => cas(['run', '--shard', shard, '--job-id', 'report-test', '--requests', '40', '--out', file(`shard-${index}.json`)]));
    for (const shard of await Promise.all(shards)) expect(shard.exitCode, shard.stderr).toBe(0);
    const merging = await cas(['merge', file('shard-0.json'), file('shard-1.json'), '--out', file('merged.json')]);
    expect(merging.exitCode, merging.stderr).toBe(0);
    const merged = await cas(['report', file('merged.json'), '--html', file('merged.html')]);
    expect(merged.exitCode).toBe(0);
    expect(merged.stdout).toMatch(/^cas run thread\/list: 40 requests on 2\/2 instances/);
    expect(merged.stdout.trimEnd().split('\n').at(-1)).toBe('  merged from 2 shards');
    expect(await readFile(file('merged.html'), 'utf8')).toContain('merged from 2 shards');
  });

  it('refuses what is not a report with one line and exit 2', async () => {
    for (const [target, why] of [
      [file('missing.json'), /ENOENT/],
      [file('results.jsonl'), /not JSON/],
      [dir, /not a regular file/],
    ] as const) {
      const result = await cas(['report', target]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(why);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    await writeFile(file('other.json'), '{"hello":"world"}');
    // execa drops the final newline.
    expect((await cas(['report', file('other.json')])).stderr).toBe(`cas: ${file('other.json')} is not a cas report (codex: invalid input: expected object, received undefined)`);
  });
});

describe("the servers' own cost, sampled from real app-servers", () => {
  it('gives each instance its CPU seconds and peak RSS, and each second its figures', () => {
    const { report } = run;
    expect(report.serverSampling).toMatchObject({ intervalMs: 1000, sources: ['proc', 'diagnostics'] });
    for (const instance of report.perInstance) {
      expect(instance.cpuSeconds).toBeGreaterThan(0);
      // A real codex app-server holds tens of MB resident.
      expect(instance.peakRssMb).toBeGreaterThan(20);
    }
    // The sampler is lined up with the timeline: every second has a sample of each server.
    for (const row of report.timeline) {
      expect(row.servers).toHaveLength(2);
      for (const server of row.servers!) expect(server?.rssMb).toBeGreaterThan(20);
    }
    expect(report.timeline.slice(1).every((row) => row.servers!.every((server) => server!.cpuPct !== null))).toBe(true);
  });

  it('agrees with what the server itself says of its memory (server/diagnostics)', () => {
    const both = run.report.timeline.flatMap((row) => row.servers!.filter((server) => server?.diagnostics?.rssMb != null && server.rssMb !== null));
    expect(both.length).toBeGreaterThan(0);
    for (const server of both) {
      // The group's RSS is the server's, plus any child of the moment (git).
      expect(server!.rssMb!).toBeGreaterThan(server!.diagnostics!.rssMb! * 0.8);
      expect(server!.rssMb!).toBeLessThan(server!.diagnostics!.rssMb! * 1.5 + 20);
    }
  });

  it("counts the CPU of what a server started, read through its process group", async () => {
    const { report, exitCode } = await casRun(['--codex-bin', fixture('busy-child.mjs'), '--codex-arg=--cpu-ms=1200', '--method', 'thread/list']);
    expect(exitCode).toBe(0);
    // The child burnt 1.2 s and was never waited for: only reading the group finds it.
    expect(report.perInstance[0]!.cpuSeconds).toBeGreaterThanOrEqual(1.2);
    // A fake that does not offer server/diagnostics: the sampler asked once, and the run is as before.
    expect(report.serverSampling!.sources).toEqual(['proc']);
    expect(report.requests).toMatchObject({ total: 1, ok: 1, retries: 0 });
  });

  it('samples nothing with --no-server-stats', async () => {
    const { report } = await casRun(['--method', 'thread/list', '--no-server-stats']);
    expect(report.serverSampling).toBeNull();
    expect(report.perInstance[0]).toMatchObject({ cpuSeconds: null, peakRssMb: null });
    expect(report.timeline.every((row) => row.servers === undefined)).toBe(true);
  });
});
