import { mkdir, readdir, readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { MergedBatchReport, MergedMineReport, MergedRunReport } from '../../src/merge/merge-reports.js';
import type { RunReport } from '../../src/report/run-report.js';
import { CAS_BIN, ROOT, cas } from '../helpers/cas-cli.js';
import { batchResults, expectBatchReportMerge, expectRunMerge, readJson } from '../helpers/shard-checks.js';
import { copyRollouts } from '../helpers/home-copies.mjs';
import { rolloutThreadIds } from '../helpers/home-snapshot.js';
import { idsOf, makeThreads, readLines } from '../helpers/mine-homes.js';

// A real Slurm: the recipe in examples/slurm/ submitted as a user would, its array tasks running
// `cas run --shard auto`, `cas batch --shard auto` and `cas mine --shard auto` against the real
// app-server, then the merge job after them; the merged reports and outputs are checked against
// one run of the same work (or, for the mine, every thread of the home).
const LOCAL_SLURM = path.join(ROOT, 'test', 'slurm', 'local-slurm.sh');
const RECIPE = path.join(ROOT, 'examples', 'slurm');
const TASKS = 4;
const REQUESTS = 402;
const RATE = 200;

let dir: string;
let slurmEnv: Record<string, string>;
let startedNow: string[] = [];

beforeAll(async () => {
  const started = await execa('bash', [LOCAL_SLURM, 'start'], { reject: false });
  if (started.exitCode !== 0) throw new Error(`could not start Slurm: ${started.stderr}`);
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(started.stdout)?.[1] ?? '';
  slurmEnv = value('SLURM_CONF') === '' ? {} : { SLURM_CONF: value('SLURM_CONF') };
  startedNow = value('STARTED').split(' ').filter(Boolean);
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-slurm-'));
});

afterAll(async () => {
  // Only what this test started, and not when asked to keep it for a look.
  if (startedNow.length > 0 && process.env.CAS_KEEP_SLURM === undefined) await execa('bash', [LOCAL_SLURM, 'stop', ...startedNow], { reject: false });
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const slurm = (command: string, args: string[], env: Record<string, string> = {}) =>
  execa(command, args, { env: { ...slurmEnv, ...env }, cwd: dir, reject: false });

/** The state and exit code of a job, once it has ended (or stays pending on a dependency that can never be met). */
async function waitForJob(id: string, timeoutMs = 480_000): Promise<{ state: string; exitCode: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = await slurm('scontrol', ['show', 'job', id, '-o']);
    const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(shown.stdout)?.[1] ?? '';
    const state = field('JobState');
    if (['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY'].includes(state)) return { state, exitCode: field('ExitCode') };
    if (field('Reason') === 'DependencyNeverSatisfied') throw new Error(`job ${id} can never run: a task it depends on failed\n${await logs()}`);
    if (Date.now() > deadline) throw new Error(`job ${id} still ${state} after ${timeoutMs} ms\n${await logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Every Slurm log the jobs wrote, for a failure message. */
async function logs(): Promise<string> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.log'));
  const texts = await Promise.all(files.map(async (name) => `--- ${name}\n${(await readFile(path.join(dir, name), 'utf8')).slice(-2000)}`));
  return texts.join('\n');
}

describe('cas on a Slurm job array', () => {
  it('runs shards as array tasks, merges them after them, and the merge is one run of the same work', async () => {
    const results = path.join(dir, 'results');
    const input = path.join(dir, 'requests.jsonl');
    const lines = Array.from({ length: 41 }, (_, i) =>
      i === 9 ? 'not json' : i === 20 ? '' : i === 30 ? JSON.stringify({ id: 'missing', method: 'thread/read', params: { threadId: 'nope' } }) : JSON.stringify({ id: i, method: 'thread/list', params: { limit: (i % 4) + 1 } }),
    );
    await writeFile(input, `${lines.join('\n')}\n`);
    const env = {
      CAS: `${process.execPath} ${CAS_BIN}`,
      CAS_OUT: results,
      CAS_INPUT: input,
      CAS_REQUESTS: String(REQUESTS),
      CAS_RATE: String(RATE),
      CAS_INSTANCES: '1',
      CAS_CONCURRENCY: '4',
      CAS_START_DELAY: '20',
    };
    const submitted = await slurm(path.join(RECIPE, 'submit.sh'), [String(TASKS)], env);
    expect(submitted.exitCode, String(submitted.stderr)).toBe(0);
    const jobId = (label: string) => new RegExp(`^${label}: job (\\d+)`, 'm').exec(submitted.stdout)?.[1];
    const [loadJob, batchJob, mergeJob] = [jobId('load test'), jobId('batch'), jobId('merge')];
    expect([loadJob, batchJob, mergeJob].every((id) => id !== undefined), submitted.stdout).toBe(true);

    // Meanwhile, the same work as one run and one batch, for comparison.
    const [singleRun, singleBatch] = await Promise.all([
      cas(['run', '-m', 'thread/list', '--params', '{"limit":1}', '--requests', String(REQUESTS), '--rate', String(RATE), '--instances', String(TASKS), '--concurrency', '4', '--no-progress', '--out', path.join(dir, 'single-run.json')]),
      cas(['batch', '--input', input, '--instances', '2', '--concurrency', '4', '--no-progress', '--out', path.join(dir, 'single-batch.jsonl'), '--report', path.join(dir, 'single-batch-report.json')]),
    ]);
    expect(singleRun.exitCode, singleRun.stderr).toBe(0);
    expect(singleBatch.exitCode).toBe(1); // a bad line and a failed request

    const merged = await waitForJob(mergeJob!);
    const shards = await Promise.all(Array.from({ length: TASKS }, (_, index) => readJson<RunReport>(path.join(results, `run-${index}.json`))));
    // --shard auto read the array: the task index, the count, the array's job id.
    expect(shards.map((report) => report.shard)).toEqual(shards.map((_, index) => ({ index, count: TASKS, jobId: loadJob })));
    const mergedRun = await readJson<MergedRunReport>(path.join(results, 'merged', 'run.json'));
    expectRunMerge(mergedRun, shards, await readJson<RunReport>(path.join(dir, 'single-run.json')));
    expect(mergedRun.merged.jobId).toBe(loadJob);

    expect(await batchResults(path.join(results, 'merged', 'batch.jsonl'))).toEqual(await batchResults(path.join(dir, 'single-batch.jsonl')));
    const mergedBatch = await readJson<MergedBatchReport>(path.join(results, 'merged', 'batch-report.json'));
    expectBatchReportMerge(mergedBatch, await readJson<BatchReport>(path.join(dir, 'single-batch-report.json')));
    expect(mergedBatch.merged.jobId).toBe(batchJob);

    // The merge job exits as the job would have: here 1, for the batch's bad line and failed request.
    const expected = mergedRun.thresholds.some((check) => check.crossed) ? 3 : mergedRun.requests.failed > 0 || mergedBatch.lines.bad > 0 || mergedBatch.requests.failed > 0 ? 1 : 0;
    expect(merged.exitCode, await logs()).toBe(`${expected}:0`);
    expect(merged.state).toBe(expected === 0 ? 'COMPLETED' : 'FAILED');

    // One task lost: rerun only that index, as the same job, and merge again.
    await rm(path.join(results, 'run-2.json'));
    const rerun = await slurm('sbatch', ['--parsable', '--array=2', path.join(RECIPE, 'load-test.sbatch')], { ...env, CAS_SHARD: `2/${TASKS}`, CAS_JOB_ID: loadJob!, CAS_START_AT: '' });
    expect(rerun.exitCode, String(rerun.stderr)).toBe(0);
    const remerge = await slurm('sbatch', ['--parsable', `--dependency=afterok:${rerun.stdout.trim()}`, path.join(RECIPE, 'merge.sbatch')], env);
    expect(remerge.exitCode, String(remerge.stderr)).toBe(0);
    await waitForJob(remerge.stdout.trim());
    const rerunReport = await readJson<RunReport>(path.join(results, 'run-2.json'));
    expect(rerunReport.shard).toEqual({ index: 2, count: TASKS, jobId: loadJob });
    expect(Date.parse(rerunReport.phaseStartedAt)).toBeGreaterThan(Date.parse(shards[2]!.phaseStartedAt));
    const again = await readJson<MergedRunReport>(path.join(results, 'merged', 'run.json'));
    expectRunMerge(again, [shards[0]!, shards[1]!, rerunReport, shards[3]!], await readJson<RunReport>(path.join(dir, 'single-run.json')));
    expect(again.merged).toMatchObject({ shards: TASKS, jobId: loadJob });
  });
});

describe('cas mine on a Slurm job array', () => {
  it('mines one home over 3 tasks, merges them after them (every thread once), and a rerun task resumes its share', async () => {
    const results = path.join(dir, 'mine-results');
    const home = path.join(dir, 'mine-home');
    const template = path.join(dir, 'mine-template');
    await makeThreads(template, 3);
    await mkdir(home);
    await copyRollouts({ from: template, to: home, count: 150, slim: true });
    const onDisk = await rolloutThreadIds(home);
    const env = { CAS: `${process.execPath} ${CAS_BIN}`, CAS_OUT: results, CAS_REQUESTS: '0', CAS_MINE_HOMES: home, CAS_INSTANCES: '1' };
    const submitted = await slurm(path.join(RECIPE, 'submit.sh'), ['3'], env);
    expect(submitted.exitCode, String(submitted.stderr)).toBe(0);
    const jobId = (label: string) => new RegExp(`^${label}: job (\\d+)`, 'm').exec(submitted.stdout)?.[1];
    const [mineJob, mergeJob] = [jobId('mine'), jobId('merge')];
    expect(submitted.stdout).not.toMatch(/^load test:/m);
    expect(mineJob !== undefined && mergeJob !== undefined, submitted.stdout).toBe(true);

    const merged = await waitForJob(mergeJob!);
    expect(merged, await logs()).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
    const report = await readJson<MergedMineReport>(path.join(results, 'merged', 'mine-report.json'));
    expect(report.merged).toMatchObject({ shards: 3, jobId: mineJob });
    expect(report.homes).toMatchObject([{ home, share: 'split', done: true, threads: onDisk.size, shards: [0, 1, 2], unfinished: [], check: { agrees: true } }]);
    expect(report.outputCheck).toMatchObject({ outputs: 3, threads: onDisk.size, problems: [] });
    const all = idsOf(await readLines(path.join(results, 'merged', 'threads.jsonl'))).ids;
    expect(all).toHaveLength(onDisk.size);
    expect(new Set(all)).toEqual(onDisk);

    // Task 1 stopped early (its output cut short, its listing not committed): rerun it, resuming.
    const out = path.join(results, 'mine-1.jsonl');
    const before = idsOf(await readLines(out)).ids;
    await writeFile(out, `${(await readFile(out, 'utf8')).split('\n').slice(0, 5).join('\n')}\n`);
    const saved = JSON.parse(await readFile(`${out}.checkpoint`, 'utf8'));
    await writeFile(`${out}.checkpoint`, JSON.stringify({ ...saved, homes: [{ ...saved.homes[0], cursor: null, listed: false, done: false, pages: 0 }] }));
    const rerun = await slurm('sbatch', ['--parsable', '--array=1', path.join(RECIPE, 'mine.sbatch')], { ...env, CAS_MINE_RESUME: '1' });
    expect(rerun.exitCode, String(rerun.stderr)).toBe(0);
    const remerge = await slurm('sbatch', ['--parsable', `--dependency=afterok:${rerun.stdout.trim()}`, path.join(RECIPE, 'merge.sbatch')], env);
    expect(remerge.exitCode, String(remerge.stderr)).toBe(0);
    expect(await waitForJob(remerge.stdout.trim()), await logs()).toEqual({ state: 'COMPLETED', exitCode: '0:0' });
    expect(new Set(idsOf(await readLines(out)).ids)).toEqual(new Set(before));
    const again = await readJson<MergedMineReport>(path.join(results, 'merged', 'mine-report.json'));
    // The resumed task kept its shard and job: the merge takes it as shard 1 of the same job.
    expect(again.merged).toMatchObject({ shards: 3, jobId: mineJob });
    expect(again.resumed).toBe(true);
    expect(again.homes[0]).toMatchObject({ done: true, threads: onDisk.size });
    expect(new Set(idsOf(await readLines(path.join(results, 'merged', 'threads.jsonl'))).ids)).toEqual(onDisk);
  });
});
