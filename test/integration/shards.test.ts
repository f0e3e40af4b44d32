import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { MergedBatchReport, MergedRunReport } from '../../src/merge/merge-reports.js';
import type { RunReport } from '../../src/report/run-report.js';
import { MergeError } from '../../src/merge/merge-error.js';
import { mergeReports } from '../../src/merge/merge-reports.js';
import { cas, casRun } from '../helpers/cas-cli.js';
import { batchResults, expectBatchReportMerge, expectRunMerge, readJson } from '../helpers/shard-checks.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-shards-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const at = (name: string) => path.join(dir, name);
const SHARDS = 3;
const LOAD = ['-m', 'thread/list', '--params', '{"limit":1}', '--requests', '301', '--rate', '150', '--concurrency', '4', '--no-progress'];

describe('cas run --shard and cas merge, against the real app-server', () => {
  let shards: RunReport[];
  let single: RunReport;
  let files: string[];

  beforeAll(async () => {
    // Ahead, so the shards (ready within a second or two) begin together and their timelines line up.
    const startAt = new Date(Date.now() + 4000).toISOString();
    files = Array.from({ length: SHARDS }, (_, index) => at(`run-${index}.json`));
    const runs = await Promise.all([
      ...files.map((file, index) => cas(['run', ...LOAD, '--shard', `${index}/${SHARDS}`, '--job-id', 'it-1', '--start-at', startAt, '--max-p99-ms', '60000', '--out', file])),
      cas(['run', ...LOAD, '--out', at('single.json')]),
    ]);
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
    shards = await Promise.all(files.map((file) => readJson<RunReport>(file)));
    single = await readJson<RunReport>(at('single.json'));
  });

  it('each shard does its share of the requests and of the rate, from the same start', () => {
    expect(shards.map((report) => report.shard)).toEqual([0, 1, 2].map((index) => ({ index, count: SHARDS, jobId: 'it-1' })));
    expect(shards.map((report) => report.requests.total).sort()).toEqual([100, 100, 101]);
    expect(shards.map((report) => report.rate)).toEqual([50, 50, 50]);
    const starts = shards.map((report) => Date.parse(report.phaseStartedAt));
    expect(new Set(shards.map((report) => report.startAt)).size).toBe(1);
    // Each began at --start-at (a timer can fire a hair early, and a late shard would say so on stderr).
    for (const start of starts) expect(start).toBeGreaterThanOrEqual(Date.parse(shards[0]!.startAt!) - 2);
    expect(single.shard).toEqual({ index: 0, count: 1, jobId: null });
  });

  it('merges them into the report of one run of the same work', async () => {
    const { exitCode, stdout, stderr } = await cas(['merge', ...[...files].reverse(), '--out', at('merged.json')]);
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toMatch(/^cas merge: 3 shards of job it-1\ncas run thread\/list: 301 requests on 3\/3 instances/);
    const merged = await readJson<MergedRunReport>(at('merged.json'));
    expectRunMerge(merged, shards, single);
    expect(merged.thresholds).toEqual([{ name: 'max-p99-ms', limit: 60000, actual: merged.latencyMs.p99, crossed: false }]);
    expect(merged.merged.reports).toEqual([0, 1, 2].map((index) => at(`run-${index}.json`)));
    // A merged report is the whole job: it merges again, alone, to itself.
    const again = await mergeReports([at('merged.json')]);
    expect(again.report).toMatchObject({ requests: merged.requests, latencyMs: merged.latencyMs, timeline: merged.timeline });
  });

  it('checks thresholds again on the merged figures: exit 3', async () => {
    const { exitCode, stderr } = await cas(['merge', ...files, '--max-p99-ms', '0.001', '--json']);
    expect(exitCode).toBe(3);
    expect(stderr).toMatch(/^cas merge: threshold crossed: merged p99 [\d.]+ ms > --max-p99-ms 0\.001$/m);
  });

  it('names a missing or repeated shard and exits 1, writing nothing', async () => {
    const out = at('partial.json');
    const missing = await cas(['merge', files[0]!, files[2]!, '--out', out]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^cas merge: missing shard 1 of 3 \(job it-1\)$/m);
    const problem = (list: string[]) => mergeReports(list).then(() => 'merged', (error: MergeError) => `${error.kind}: ${error.message}`);
    expect(await problem([...files, files[1]!])).toBe(`shards: shard 1/3 given 2 times (${files[1]}, ${files[1]})`);
    expect(await problem([files[0]!, at('single.json')])).toBe(`shards: shards of different splits: ${files[0]} is shard 0/3, ${at('single.json')} is 0/1; shards of different jobs: ${files[0]} is of job it-1, ${at('single.json')} of no job id`);
    await writeFile(at('other.json'), '{"hello":"world"}');
    expect(await problem([files[0]!, at('other.json')])).toMatch(/^input: .*other\.json: not a cas report at codex: /);
    const notReport = await cas(['merge', at('nothing.json')]);
    expect(notReport.exitCode).toBe(2);
    expect(notReport.stderr).toBe(`cas merge: ${at('nothing.json')}: no such file`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('cas batch --shard and cas merge --batch, against the real app-server', () => {
  it('runs each shard\'s lines and merges the outputs into one single batch\'s output', async () => {
    const lines = Array.from({ length: 47 }, (_, i) =>
      i % 9 === 4 ? 'not json' : i % 10 === 7 ? '' : i % 13 === 5 ? JSON.stringify({ id: `missing-${i}`, method: 'thread/read', params: { threadId: 'nope' } }) : JSON.stringify({ id: i, method: 'thread/list', params: { limit: (i % 3) + 1 } }),
    );
    const input = at('requests.jsonl');
    await writeFile(input, `${lines.join('\n')}\n`);
    const runs = await Promise.all([
      ...Array.from({ length: SHARDS }, (_, index) =>
        cas(['batch', '--input', input, '--shard', `${index}/${SHARDS}`, '--concurrency', '4', '--out', at(`batch-${index}.jsonl`), '--report', at(`batch-report-${index}.json`), '--no-progress']),
      ),
      cas(['batch', '--input', input, '--concurrency', '4', '--out', at('batch-single.jsonl'), '--report', at('batch-report-single.json'), '--no-progress']),
    ]);
    // Bad lines and a failing request: every run exits 1, and says so.
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(1);
    expect(runs[1]!.stderr).toMatch(/^cas batch: \d+ lines .*\n  shard 1\/3: this process's share/);
    for (let index = 0; index < SHARDS; index++) {
      const own = (await batchResults(at(`batch-${index}.jsonl`))) as Array<{ line: number }>;
      expect(own.every((result) => (result.line - 1) % SHARDS === index)).toBe(true);
    }

    const merge = await cas(['merge', '--batch', at('batch-2.jsonl'), at('batch-0.jsonl'), at('batch-1.jsonl'), '--out', at('batch-merged.jsonl')]);
    expect(merge.exitCode, merge.stderr).toBe(0);
    const single = await batchResults(at('batch-single.jsonl'));
    expect(await batchResults(at('batch-merged.jsonl'))).toEqual(single);
    expect(merge.stderr).toBe(`cas merge --batch: 3 outputs, ${single.length} results in input order (${single.filter((result) => !(result as { ok: boolean }).ok).length} not ok) written to ${at('batch-merged.jsonl')}`);

    const reports = await cas(['merge', ...[0, 1, 2].map((index) => at(`batch-report-${index}.json`)), '--json']);
    expect(reports.exitCode).toBe(1); // as the batch itself: bad lines and a failed request
    expectBatchReportMerge(JSON.parse(reports.stdout) as MergedBatchReport, await readJson<BatchReport>(at('batch-report-single.json')));

  });
});

describe('--shard auto', () => {
  it('reads the task index and count the engine sets, and the job id', async () => {
    const env = { JOB_COMPLETION_INDEX: '1', CAS_SHARD_COUNT: '2', CAS_JOB_ID: 'k8s-job' };
    const { exitCode, report } = await casRun(['-m', 'thread/list', '--requests', '5', '--shard', 'auto', '--no-progress'], { env });
    expect(exitCode).toBe(0);
    expect(report.shard).toEqual({ index: 1, count: 2, jobId: 'k8s-job' });
    expect(report.requests.total).toBe(2);
  });

  it('exits 2 naming the variables it looked for when there is no index', async () => {
    const { exitCode, stderr } = await cas(['run', '-m', 'thread/list', '--shard', 'auto']);
    expect(exitCode).toBe(2);
    expect(stderr).toBe('cas: --shard auto: no task index in the environment (looked for JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX)');
  });
});

describe('cas merge --mine, on real mine output', () => {
  it('keeps each thread once, a whole thread over an error line for it', async () => {
    const home = at('home');
    await mkdir(home);
    const turns = await cas(['run', '--method', 'turn/start', '--mock-model', '--fresh-thread', '--codex-home', home, '--requests', '3', '--no-progress']);
    expect(turns.exitCode, turns.stderr).toBe(0);
    const mined = await cas(['mine', '--codex-home', home, '--read', '--out', at('mine-a.jsonl'), '--no-progress']);
    expect(mined.exitCode, mined.stderr).toBe(0);
    const whole = (await readFile(at('mine-a.jsonl'), 'utf8')).trim().split('\n');
    const ids = whole.map((line) => (JSON.parse(line) as { thread: { id: string } }).thread.id);
    expect(ids).toHaveLength(3);
    // Another shard (or an earlier run) could not read the first thread, and listed a thread of another home.
    const failedLine = JSON.stringify({ codexHome: home, threadId: ids[0], error: { code: 'timeout', message: 'no reply' } });
    const otherHome = JSON.stringify({ codexHome: `${home}-2`, threadId: ids[1], error: { code: 'timeout', message: 'no reply' } });
    await writeFile(at('mine-b.jsonl'), `${failedLine}\n${otherHome}\n`);
    const merge = await cas(['merge', '--mine', at('mine-b.jsonl'), at('mine-a.jsonl'), '--out', at('mine-merged.jsonl')]);
    expect(merge.exitCode, merge.stderr).toBe(0);
    const merged = (await readFile(at('mine-merged.jsonl'), 'utf8')).trim().split('\n');
    expect(merged).toEqual([otherHome, ...whole]);
    expect(merge.stderr).toBe(`cas merge --mine: 2 outputs, 5 lines, 4 threads written to ${at('mine-merged.jsonl')} (0 repeated lines left out, 1 error lines replaced by the whole thread)`);
  });
});
