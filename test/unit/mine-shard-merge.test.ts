import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergeError } from '../../src/merge/merge-error.js';
import { mergeReports } from '../../src/merge/merge-reports.js';
import { checkMineOutputs } from '../../src/merge/mine-output-check.js';
import type { ListingCheck } from '../../src/mine/listing-check.js';
import { homesOfShard, ownerOfThread, ownsThread } from '../../src/mine/mine-shard.js';
import type { MinedHome, MineReport } from '../../src/mine/run-mine.js';
import { syntheticReport } from '../helpers/synthetic-report.js';

describe('homesOfShard: every thread of every home is one shard\'s', () => {
  it('deals homes round-robin when there are enough, splits each by thread id when there are not', () => {
    const ids = Array.from({ length: 200 }, () => randomUUID());
    for (const count of [1, 2, 3, 5]) {
      for (const homeCount of [1, 2, 3, 4, 7]) {
        const homes = Array.from({ length: homeCount }, (_, index) => `/homes/${index}`);
        const shares = Array.from({ length: count }, (_, index) => homesOfShard(homes, { index, count }));
        for (const [homeIndex, home] of homes.entries()) {
          for (const id of ids) {
            const owners = shares.flatMap((own, shard) => own.filter((entry) => entry.home === home && ownsThread(entry, id, { index: shard, count })).map(() => shard));
            expect(owners, `${home} ${id} of ${count} shards`).toEqual([ownerOfThread(homeIndex, homeCount, id, count)]);
          }
        }
        if (homeCount >= count) expect(shares.map((own) => own.every((entry) => entry.share === 'whole'))).toEqual(shares.map(() => true));
        else expect(shares.every((own) => own.length === homeCount && own.every((entry) => entry.share === (count === 1 ? 'whole' : 'split')))).toBe(true);
      }
    }
  });
});

const check = (own: number, agrees = true): ListingCheck => ({
  against: 'rollouts',
  rollouts: own,
  listed: agrees ? own : own - 1,
  outsideFilters: { 'no user message': 1 },
  unjudged: 0,
  newer: 0,
  missing: agrees ? 0 : 1,
  missingIds: agrees ? [] : [`missing-${own}`],
  unreadable: 0,
  unreadableIds: [],
  listedWithoutRollout: 0,
  listedWithoutRolloutIds: [],
  mismatched: 0,
  mismatchedIds: [],
  scan: null,
  agrees,
});

/** A mine report of shard `index`/`count`: the shared fields of a real report, and the given homes. */
function mineReport(index: number, count: number, homeCount: number, homes: Array<Partial<MinedHome> & Pick<MinedHome, 'home' | 'index' | 'share' | 'threads'>>): MineReport {
  const { method, params, rate, measuredTo, warmup, thresholds, startAt, stoppedBecause, samples, ...base } = syntheticReport({ seconds: 1, perSecond: 10, medianMs: 5, sigma: 0.3, seed: index + 1 });
  void [method, params, rate, measuredTo, warmup, thresholds, startAt, stoppedBecause, samples];
  const lines = homes.map((home) => ({ cursor: null, listed: true, done: true, pages: 2, failed: 0, retry: [], error: null, check: check(home.threads), ...home }));
  const written = lines.reduce((total, home) => total + home.threads, 0);
  return {
    ...base,
    shard: { index, count, jobId: 'j' },
    homes: lines,
    threads: { listed: written, read: 0, failed: 0, written },
    homeCount,
    read: false,
    items: 'full',
    listing: 'index',
    filters: {},
    since: null,
    listingStartedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    out: `/results/mine-${index}.jsonl`,
    checkpoint: `/results/mine-${index}.jsonl.checkpoint`,
    resumed: false,
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-merge-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function files(reports: readonly object[]): Promise<string[]> {
  const named = reports.map((_, index) => path.join(dir, `${randomUUID()}-${index}.json`));
  await Promise.all(reports.map((report, index) => writeFile(named[index]!, JSON.stringify(report))));
  return named;
}

const problem = (promise: Promise<unknown>) => promise.then(() => 'merged', (error: MergeError) => `${error.kind}: ${error.message.replaceAll(dir, '')}`);

describe('mergeReports of cas mine shards', () => {
  it('a split home is done only when every shard finished its part; counts and checks add up', async () => {
    const shards = [
      mineReport(0, 3, 1, [{ home: '/h', index: 0, share: 'split', threads: 10 }]),
      mineReport(1, 3, 1, [{ home: '/h', index: 0, share: 'split', threads: 4, done: false, listed: false, pages: 1, check: null, error: 'thread/list failed' }]),
      mineReport(2, 3, 1, [{ home: '/h', index: 0, share: 'split', threads: 12, failed: 1, retry: ['r'] }]),
    ];
    const merged = await mergeReports(await files(shards));
    expect(merged.kind).toBe('mine');
    if (merged.kind !== 'mine') return;
    expect(merged.report.threads).toEqual({ listed: 26, read: 0, failed: 0, written: 26 });
    expect(merged.report.homes).toEqual([
      expect.objectContaining({ home: '/h', index: 0, share: 'split', done: false, listed: false, pages: 2, threads: 26, failed: 1, retry: ['r'], shards: [0, 1, 2], unfinished: [1], error: 'shard 1: thread/list failed', check: null }),
    ]);
    expect(merged.report.listingStartedAt).toBe(shards[0]!.listingStartedAt);
    expect(merged.report.outs.map((entry) => entry.shard)).toEqual([0, 1, 2]);

    const finished = await mergeReports(await files([shards[0]!, mineReport(1, 3, 1, [{ home: '/h', index: 0, share: 'split', threads: 4, check: check(4, false) }]), shards[2]!]));
    if (finished.kind !== 'mine') throw new Error('not a mine merge');
    expect(finished.report.homes[0]).toMatchObject({ done: true, unfinished: [] });
    expect(finished.report.homes[0]!.check).toEqual({ ...check(26), listed: 25, outsideFilters: { 'no user message': 3 }, missing: 1, missingIds: ['missing-4'], agrees: false });
  });

  it('refuses a home a shard should not have mined, a home a shard left out, other mines and other kinds', async () => {
    const wrongShare = [mineReport(0, 2, 1, [{ home: '/h', index: 0, share: 'split', threads: 1 }]), mineReport(1, 2, 1, [{ home: '/h', index: 0, share: 'whole', threads: 1 }])];
    expect(await problem(mergeReports(await files(wrongShare)))).toMatch(/^shards: \/.*-1\.json: home \/h \(0 of 1\) is not shard 1\/2's to mine whole$/);

    const dealt = (index: number, homes: number[]) => mineReport(index, 2, 3, homes.map((home) => ({ home: `/h${home}`, index: home, share: 'whole' as const, threads: 1 })));
    expect(await problem(mergeReports(await files([dealt(0, [0, 2]), dealt(1, [1])])))).toBe('merged');
    expect(await problem(mergeReports(await files([dealt(0, [0]), dealt(1, [1])])))).toBe('shards: home 2 of 3 is in no report of shard 0');

    const other = { ...dealt(1, [1]), read: true };
    expect(await problem(mergeReports(await files([dealt(0, [0, 2]), other])))).toMatch(/^shards: shards of different mines: .* mined 3 homes, listing only, .* 3 homes, --read --items full, /);

    const run = { ...syntheticReport({ seconds: 1, perSecond: 5, medianMs: 5, sigma: 0.3, seed: 9 }), shard: { index: 1, count: 2, jobId: 'j' } };
    expect(await problem(mergeReports(await files([dealt(0, [0, 2]), run])))).toMatch(/^input: .* is a cas run report, .* a cas mine report$/);
    const older = { ...dealt(1, [1]), homeCount: undefined };
    expect(await problem(mergeReports(await files([older])))).toMatch(/a cas mine report without "homeCount" \(written by an older cas\)/);
  });
});

describe('checkMineOutputs', () => {
  it('names lines in the wrong shard\'s output, repeated threads and counts that differ from the reports', async () => {
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const ownerOf = (id: string) => ownerOfThread(0, 1, id, 2);
    const line = (id: string) => JSON.stringify({ codexHome: '/h', thread: { id, preview: 'x' } });
    const outs = [0, 1].map((shard) => path.join(dir, `out-${randomUUID()}-${shard}.jsonl`));
    const own = [0, 1].map((shard) => ids.filter((id) => ownerOf(id) === shard));
    const merged = (threads: number) => ({ homes: [{ home: '/h', index: 0, threads, failed: 0 }], homeCount: 1, outs: outs.map((out, shard) => ({ shard, out })) }) as unknown as Parameters<typeof checkMineOutputs>[0];

    await Promise.all(outs.map((out, shard) => writeFile(out, own[shard]!.map(line).join('\n') + '\n')));
    expect(await checkMineOutputs(merged(40), 2, { spillDir: dir })).toEqual({ outputs: 2, lines: 40, threads: 40, problems: [] });

    // Shard 1's output also holds one of shard 0's threads, and one of its own twice.
    await writeFile(outs[1]!, [...own[1]!, own[0]![0]!, own[1]![0]!].map(line).join('\n') + '\n');
    const found = await checkMineOutputs(merged(40), 2, { spillDir: dir });
    expect(found).toMatchObject({ outputs: 2, lines: 42, threads: 40 });
    expect(found.problems).toEqual([
      `1 line(s) of a thread another shard owns: ${own[0]![0]} (of /h) in shard 1's output, owned by shard 0`,
      '2 line(s) repeat a thread already in the outputs (0 of them an error line beside its whole thread)',
      '/h: the outputs hold 42 whole and 0 error line(s), its reports say 40 and 0',
    ]);
  });
});
