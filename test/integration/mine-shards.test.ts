import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MergedMineReport } from '../../src/merge/merge-reports.js';
import type { MineReport } from '../../src/mine/run-mine.js';
import { ownsKey, shardOfKey } from '../../src/shard/shard-share.js';
import { cas } from '../helpers/cas-cli.js';
import { copyRollouts } from '../helpers/home-copies.mjs';
import { rolloutThreadIds } from '../helpers/home-snapshot.js';
import { idsOf, makeThreads, readLines, readReport } from '../helpers/mine-homes.js';
import { readJson } from '../helpers/shard-checks.js';

const SHARDS = 3;
/** One home split by thread id over the shards: a few hundred threads copied from real ones. */
const THREADS = 240;
/** Several homes dealt out to the shards (more homes than shards). */
const HOME_SIZES = [20, 25, 15, 10];

let dir: string;
let template: string;
let one: string;
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-shards-'));
  template = at('template');
  await makeThreads(template, 4);
  one = at('one');
  await mkdir(one);
  // Slim copies: listing needs a rollout's head, not its history.
  await copyRollouts({ from: template, to: one, count: THREADS, slim: true });
  for (const [index, count] of HOME_SIZES.entries()) {
    await mkdir(at(`h${index}`));
    await copyRollouts({ from: template, to: at(`h${index}`), count, slim: true, startMs: Date.UTC(2025, 1 + index, 1) });
  }
}, 180_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the shards of one mine at once (as a job array would), each exit 0. */
async function mineShards(name: string, args: readonly string[]): Promise<MineReport[]> {
  const runs = await Promise.all(
    Array.from({ length: SHARDS }, (_, index) =>
      cas(['mine', ...args, '--shard', `${index}/${SHARDS}`, '--job-id', name, '--out', at(`${name}-${index}.jsonl`), '--report', at(`${name}-report-${index}.json`), '--no-progress']),
    ),
  );
  for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
  return Promise.all(Array.from({ length: SHARDS }, (_, index) => readReport(at(`${name}-report-${index}.json`))));
}

/** Every (home, thread) of the shards' outputs, and which shard wrote it. */
async function writtenBy(name: string): Promise<Array<{ home: string; id: string; shard: number }>> {
  const lines = await Promise.all(Array.from({ length: SHARDS }, (_, shard) => readLines(at(`${name}-${shard}.jsonl`)).then((all) => all.map((line) => ({ home: line.codexHome, id: line.thread!.id, shard })))));
  return lines.flat();
}

describe('cas mine --shard, against the real app-server', () => {
  it('splits one home by thread id: each thread written by its one shard, each share checked on its own, merged exactly', async () => {
    const reports = await mineShards('one', ['--codex-home', one, '--verify', '--page-size', '50']);
    const written = await writtenBy('one');
    const onDisk = await rolloutThreadIds(one);
    expect(written).toHaveLength(THREADS);
    expect(new Set(written.map((line) => line.id))).toEqual(onDisk);
    for (const line of written) expect(ownsKey(line.id, { index: line.shard, count: SHARDS })).toBe(true);
    for (const [index, report] of reports.entries()) {
      const own = written.filter((line) => line.shard === index).length;
      expect(report.shard).toEqual({ index, count: SHARDS, jobId: 'one' });
      // Each shard lists the whole home and answers for its share: its rollouts, its scan listing.
      expect(report.homes).toMatchObject([{ home: one, index: 0, share: 'split', done: true, threads: own, pages: Math.ceil(THREADS / 50) }]);
      expect(report.homes[0]!.check).toMatchObject({ against: 'rollouts+scan', rollouts: own, listed: own, missing: 0, agrees: true, scan: { listed: own, onlyInScan: 0, onlyInIndex: 0 } });
      expect(report.threads).toMatchObject({ listed: own, written: own });
    }

    const merge = await cas(['merge', ...reports.map((_, index) => at(`one-report-${index}.json`)).reverse(), '--check-outputs', '--out', at('one-merged.json')]);
    expect(merge.exitCode, merge.stderr).toBe(0);
    expect(merge.stdout).toContain(`cas merge: 3 shards of job one\ncas mine: 1 home, ${THREADS} new threads listed, ${THREADS} lines written`);
    expect(merge.stdout).toContain(`${one} (split by thread id over 3 shards): ${THREADS} threads in ${Math.ceil(THREADS / 50)} pages, done`);
    expect(merge.stdout).toContain(`outputs: 3 outputs, ${THREADS} lines, ${THREADS} threads, each thread once`);
    const merged = await readJson<MergedMineReport>(at('one-merged.json'));
    expect(merged.threads).toEqual({ listed: THREADS, read: 0, failed: 0, written: THREADS });
    expect(merged.homes).toMatchObject([{ home: one, share: 'split', done: true, threads: THREADS, shards: [0, 1, 2], unfinished: [], check: { rollouts: THREADS, listed: THREADS, agrees: true, scan: { listed: THREADS } } }]);
    expect(merged.outs).toEqual([0, 1, 2].map((shard) => ({ shard, out: at(`one-${shard}.jsonl`) })));
    expect(merged.outputCheck).toEqual({ outputs: 3, lines: THREADS, threads: THREADS, problems: [] });
    // Every request of every shard, in counts and in the histogram.
    expect(merged.requests.total).toBe(reports.reduce((total, report) => total + report.requests.total, 0));
    expect(hdr.decodeFromCompressedBase64(merged.histogram).totalCount).toBe(reports.reduce((total, report) => total + hdr.decodeFromCompressedBase64(report.histogram).totalCount, 0));
    expect(merged.listingStartedAt).toBe(reports.map((report) => report.listingStartedAt).sort()[0]);

    const partial = await cas(['merge', at('one-report-0.json'), at('one-report-2.json')]);
    expect(partial.exitCode).toBe(1);
    expect(partial.stderr).toBe('cas merge: missing shard 1 of 3 (job one)');
  });

  it('deals several homes out to the shards, whole, and merges every home once', async () => {
    const reports = await mineShards('many', ['--codex-home', at('h{i}'), '--homes', String(HOME_SIZES.length)]);
    // Homes 0..3 over 3 shards, round-robin: shard 0 mines homes 0 and 3.
    expect(reports.map((report) => report.homes.map((home) => [home.index, home.share]))).toEqual([[[0, 'whole'], [3, 'whole']], [[1, 'whole']], [[2, 'whole']]]);
    expect(reports.every((report) => report.homeCount === HOME_SIZES.length)).toBe(true);
    const written = await writtenBy('many');
    for (const [index, count] of HOME_SIZES.entries()) {
      const lines = written.filter((line) => line.home === at(`h${index}`));
      expect(lines).toHaveLength(count);
      expect(new Set(lines.map((line) => line.id))).toEqual(await rolloutThreadIds(at(`h${index}`)));
      expect(new Set(lines.map((line) => line.shard))).toEqual(new Set([index % SHARDS]));
    }
    const merge = await cas(['merge', ...reports.map((_, index) => at(`many-report-${index}.json`)), '--check-outputs', '--json']);
    expect(merge.exitCode, merge.stderr).toBe(0);
    const merged = JSON.parse(merge.stdout) as MergedMineReport;
    const total = HOME_SIZES.reduce((sum, count) => sum + count, 0);
    expect(merged.threads.written).toBe(total);
    expect(merged.homes.map((home) => [home.home, home.threads, home.shards, home.done])).toEqual(HOME_SIZES.map((count, index) => [at(`h${index}`), count, [index % SHARDS], true]));
    expect(merged.outputCheck?.problems).toEqual([]);
    // A shard of another mine (here the one-home job) does not merge with these.
    const mixed = await cas(['merge', at('many-report-0.json'), at('one-report-1.json'), at('many-report-2.json')]);
    expect(mixed.exitCode).toBe(1);
    expect(mixed.stderr).toBe(`cas merge: shards of different mines: ${at('many-report-0.json')} mined 4 homes, listing only, --listing index, since the start, filters {}, ${at('one-report-1.json')} 1 home, listing only, --listing index, since the start, filters {}`);
  });

  it('reads a split home whole (--read), and a shard whose share holds no thread writes nothing and says so', async () => {
    const runs = await Promise.all([0, 1].map((index) => cas(['mine', '--codex-home', template, '--read', '--shard', `${index}/2`, '--out', at(`read-${index}.jsonl`), '--no-progress'])));
    for (const run of runs) expect(run.exitCode, run.stderr).toBe(0);
    const lines = [...(await readLines(at('read-0.jsonl'))), ...(await readLines(at('read-1.jsonl')))];
    const ids = await rolloutThreadIds(template);
    expect(new Set(idsOf(lines).ids)).toEqual(ids);
    expect(lines).toHaveLength(ids.size);
    expect(lines.every((line) => line.thread?.turns?.length === 1)).toBe(true);

    // Of 8 shards, at least 4 own none of the 4 threads.
    const owners = new Set([...ids].map((id) => shardOfKey(id, 8)));
    const idle = [0, 1, 2, 3, 4, 5, 6, 7].find((index) => !owners.has(index))!;
    const { exitCode, stderr } = await cas(['mine', '--codex-home', template, '--shard', `${idle}/8`, '--out', at('idle.jsonl'), '--no-progress']);
    expect(exitCode, stderr).toBe(0);
    expect(await readFile(at('idle.jsonl'), 'utf8')).toBe('');
    expect(stderr).toContain("this shard's share of the home holds no threads: nothing to write");
  });

  it('resumes a shard as that shard, and refuses another shard or a bad one in one line (exit 2)', async () => {
    // Shard 1 of the one-home mine, as if stopped early: its first lines written, its listing not committed.
    const out = at('one-1.jsonl');
    const before = idsOf(await readLines(out)).ids;
    await writeFile(out, `${(await readFile(out, 'utf8')).split('\n').slice(0, 10).join('\n')}\n`);
    const checkpoint = `${out}.checkpoint`;
    const saved = JSON.parse(await readFile(checkpoint, 'utf8'));
    expect(saved.shard).toEqual({ index: 1, count: SHARDS, jobId: 'one', homes: [one] });
    await writeFile(checkpoint, JSON.stringify({ ...saved, homes: [{ ...saved.homes[0], cursor: null, listed: false, done: false, pages: 0 }] }));

    const other = await cas(['mine', '--resume', checkpoint, '--shard', '2/3']);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toBe(`cas: --resume ${checkpoint}: that mine was shard 1/3 (job one), not 2/3: resume it as that shard (drop --shard: the checkpoint knows it)`);
    const resumed = await cas(['mine', '--resume', checkpoint, '--shard', '1/3', '--report', at('resumed.json'), '--no-progress']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const after = idsOf(await readLines(out)).ids;
    expect(after).toHaveLength(before.length);
    expect(new Set(after)).toEqual(new Set(before));
    const report = await readReport(at('resumed.json'));
    expect(report).toMatchObject({ resumed: true, shard: { index: 1, count: SHARDS, jobId: 'one' }, threads: { written: before.length - 10 } });
    expect(report.homes[0]).toMatchObject({ done: true, threads: before.length, check: { agrees: true } });

    for (const [args, message] of [
      [['--shard', '3/3'], 'cas: --shard 3/3: I must be a whole number from 0 to 2'],
      [['--shard', 'half'], 'cas: --shard must be I/N (share I of N, from 0) or auto (got "half")'],
      [['--shard', 'auto'], 'cas: --shard auto: no task index in the environment (looked for JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX)'],
    ] as const) {
      const bad = await cas(['mine', '--codex-home', one, ...args]);
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toBe(message);
    }
  });
});
