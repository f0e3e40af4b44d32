import { describe, expect, it } from 'vitest';
import { INDEX_VARIABLES, resolveShard } from '../../src/shard/resolve-shard.js';
import { homeShare, keyHash, ownsKey, ownsLine, shardOfKey, shareOfRate, shareOfTotal } from '../../src/shard/shard-share.js';
import { parseShardSpec, ShardError } from '../../src/shard/shard-spec.js';

const auto = { spec: { kind: 'auto' } as const };

describe('parseShardSpec', () => {
  it('reads I/N and auto', () => {
    expect(parseShardSpec('2/4')).toEqual({ kind: 'fixed', index: 2, count: 4 });
    expect(parseShardSpec(' 0/1 ')).toEqual({ kind: 'fixed', index: 0, count: 1 });
    expect(parseShardSpec('auto')).toEqual({ kind: 'auto' });
  });

  it.each([
    ['4/4', /I must be a whole number from 0 to 3/],
    ['-1/4', /I must be a whole number from 0 to 3/],
    ['1.5/4', /I must be a whole number/],
    ['1/0', /N must be a whole number from 1/],
    ['1/2000000', /N must be a whole number from 1 to 1000000/],
    ['a/b', /N must be a whole number/],
    ['1/4/5', /--shard must be I\/N/],
    ['', /--shard must be I\/N/],
    ['3', /--shard must be I\/N/],
  ])('refuses %j', (text, message) => {
    expect(() => parseShardSpec(text)).toThrow(ShardError);
    expect(() => parseShardSpec(text)).toThrow(message);
  });
});

describe('resolveShard', () => {
  it('takes I/N as given, with the job id from --job-id or CAS_JOB_ID only', () => {
    const spec = parseShardSpec('1/3');
    expect(resolveShard({ spec }, { SLURM_ARRAY_JOB_ID: '77', SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 1, count: 3, jobId: null, source: 'flag' });
    expect(resolveShard({ spec, jobId: 'load-1' }, { CAS_JOB_ID: 'other' }).jobId).toBe('load-1');
    expect(resolveShard({ spec }, { CAS_JOB_ID: 'from-env' }).jobId).toBe('from-env');
    expect(() => resolveShard({ spec, count: 4 }, {})).toThrow('--shard-count 4 contradicts --shard 1/3');
    expect(() => resolveShard({ spec, jobId: 'has space' }, {})).toThrow(/--job-id must be 1 to 200 printable characters/);
  });

  it('reads a Kubernetes Indexed Job: the index from JOB_COMPLETION_INDEX, the count from --shard-count or CAS_SHARD_COUNT', () => {
    expect(resolveShard(auto, { JOB_COMPLETION_INDEX: '2', CAS_SHARD_COUNT: '4' }, 'cas-shards-2')).toEqual({ index: 2, count: 4, jobId: 'cas-shards', source: 'kubernetes' });
    expect(resolveShard({ ...auto, count: 5 }, { JOB_COMPLETION_INDEX: '4' }, 'somehost')).toEqual({ index: 4, count: 5, jobId: null, source: 'kubernetes' });
    expect(resolveShard(auto, { JOB_COMPLETION_INDEX: '0', CAS_SHARD_COUNT: '2', CAS_JOB_ID: 'mine' }, 'cas-shards-0').jobId).toBe('mine');
    expect(() => resolveShard(auto, { JOB_COMPLETION_INDEX: '1' })).toThrow('--shard auto: JOB_COMPLETION_INDEX gives no task count: pass --shard-count N or set CAS_SHARD_COUNT');
    expect(() => resolveShard(auto, { JOB_COMPLETION_INDEX: '4', CAS_SHARD_COUNT: '4' })).toThrow('JOB_COMPLETION_INDEX gives task 4, but there are only 4 tasks');
    expect(() => resolveShard(auto, { JOB_COMPLETION_INDEX: 'x', CAS_SHARD_COUNT: '4' })).toThrow('JOB_COMPLETION_INDEX="x" is not a task index');
    expect(() => resolveShard(auto, { JOB_COMPLETION_INDEX: '1', CAS_SHARD_COUNT: 'four' })).toThrow(/CAS_SHARD_COUNT must be a whole number/);
  });

  it('reads a Slurm array: the task id offset by MIN (and STEP), the count from SLURM_ARRAY_TASK_COUNT', () => {
    const slurm = (id: number, min: number, max: number, step: number, count: number) => ({
      SLURM_ARRAY_JOB_ID: '77',
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_MAX: String(max),
      SLURM_ARRAY_TASK_STEP: String(step),
      SLURM_ARRAY_TASK_COUNT: String(count),
    });
    expect(resolveShard(auto, slurm(3, 0, 3, 1, 4))).toEqual({ index: 3, count: 4, jobId: '77', source: 'slurm' });
    expect(resolveShard(auto, slurm(5, 3, 6, 1, 4))).toMatchObject({ index: 2, count: 4 });
    // sbatch --array=2-8:2, as Slurm 22.05 sets it.
    expect(resolveShard(auto, slurm(6, 2, 8, 2, 4))).toMatchObject({ index: 2, count: 4 });
    // sbatch --array=0,3,7: no single step.
    expect(() => resolveShard(auto, slurm(3, 0, 7, 1, 3))).toThrow('the Slurm array 0-7:1 is not 3 evenly spaced tasks: use --shard I/N');
    // sbatch --array=2 to rerun one task is a one-task array: a given count says otherwise.
    expect(() => resolveShard(auto, { ...slurm(2, 2, 2, 1, 1), CAS_SHARD_COUNT: '4' })).toThrow('--shard auto: CAS_SHARD_COUNT 4 but SLURM_ARRAY_TASK_COUNT is 1');
    expect(resolveShard({ ...auto, count: 4 }, slurm(1, 0, 3, 1, 4)).count).toBe(4);
  });

  it('reads an AWS Batch array job: the parent job id is what the children share', () => {
    expect(resolveShard(auto, { AWS_BATCH_JOB_ARRAY_INDEX: '3', AWS_BATCH_JOB_ARRAY_SIZE: '8', AWS_BATCH_JOB_ID: 'e4b5:3' })).toEqual({ index: 3, count: 8, jobId: 'e4b5', source: 'aws-batch' });
    expect(() => resolveShard(auto, { AWS_BATCH_JOB_ARRAY_INDEX: '3' })).toThrow('AWS_BATCH_JOB_ARRAY_INDEX gives no task count');
  });

  it('names every variable it looked for when there is no index', () => {
    const error = (() => {
      try {
        resolveShard(auto, { SLURM_JOB_ID: '5', CAS_SHARD_COUNT: '4', JOB_COMPLETION_INDEX: '' });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ShardError);
    for (const name of INDEX_VARIABLES) expect(error!.message).toContain(name);
  });
});

describe('shares of the work', () => {
  it('splits totals so the shares add up and differ by at most one', () => {
    for (let count = 1; count <= 7; count++) {
      for (let total = 0; total <= 50; total++) {
        const shares = Array.from({ length: count }, (_, index) => shareOfTotal(total, { index, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
    const rates = Array.from({ length: 3 }, (_, index) => shareOfRate(1000, { index, count: 3 }));
    expect(rates.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 9);
  });

  it('gives every batch line to exactly one shard, line L to shard (L - 1) mod N', () => {
    for (const count of [1, 2, 3, 8]) {
      for (let line = 1; line <= 100; line++) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => ownsLine(line, { index, count }));
        expect(owners).toEqual([(line - 1) % count]);
      }
    }
  });

  it('gives every key (thread id) to exactly one shard, evenly', () => {
    const count = 4;
    const seen = Array<number>(count).fill(0);
    for (let i = 0; i < 8000; i++) {
      const id = `0199${i.toString(16).padStart(4, '0')}-0000-7000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;
      const owners = Array.from({ length: count }, (_, index) => index).filter((index) => ownsKey(id, { index, count }));
      expect(owners).toEqual([shardOfKey(id, count)]);
      seen[owners[0]!]!++;
    }
    // Time-ordered ids differ only in a few characters; the hash must still spread them.
    for (const n of seen) expect(Math.abs(n - 2000)).toBeLessThan(200);
  });

  it('hashes keys the same way on every machine and version (FNV-1a, murmur3 finaliser)', () => {
    // Pinned (computed apart, in Python): shards of one job may run different cas builds, and a
    // changed hash would split threads differently between them.
    expect(keyHash('')).toBe(0xab3e7c0b);
    expect(keyHash('a')).toBe(0x1a80b1b3);
    expect(keyHash('0199a1b2-0000-7000-8000-000000000001')).toBe(0xf8808e51);
  });

  it('deals homes out when there are enough, and splits each home by thread otherwise', () => {
    for (const count of [1, 2, 3, 4]) {
      for (const homes of [1, 2, 3, 4, 7]) {
        for (let home = 0; home < homes; home++) {
          const shares = Array.from({ length: count }, (_, index) => homeShare(home, homes, { index, count }));
          if (count === 1) expect(shares).toEqual(['whole']);
          else if (homes >= count) expect(shares.filter((share) => share === 'whole')).toHaveLength(1);
          else expect(shares.every((share) => share === 'split')).toBe(true);
        }
      }
    }
  });
});
