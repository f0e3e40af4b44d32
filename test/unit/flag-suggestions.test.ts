import { describe, expect, it } from 'vitest';
import { describeUnknownFlags, nearestFlag, nearestName, unknownFlags, type KnownFlags } from '../../src/cli/flag-suggestions.js';

const known: KnownFlags = {
  key: { concurrency: true, requestTimeoutMs: true, 'request-timeout-ms': true, progress: true, instances: true, n: true },
  alias: { instances: ['n'], params: ['params-json'] },
};

describe('unknown flags', () => {
  it('names each unknown flag once, as written, whatever case yargs also reports', () => {
    expect(unknownFlags(['run', '--concurency', '2', '--foo=1', '--fooBar', '--foo', '-n', '3', '--request-timeout-ms', '9'], known)).toEqual([
      '--concurency',
      '--foo',
      '--fooBar',
    ]);
  });

  it('knows negations, aliases, camel case and negative numbers', () => {
    expect(unknownFlags(['--no-progress', '--params-json', '{}', '--requestTimeoutMs', '5', '-5', '-n', '2'], known)).toEqual([]);
  });

  it('stops at --', () => {
    expect(unknownFlags(['--', '--whatever'], known)).toEqual([]);
    expect(unknownFlags(['-i', '-'], { key: { i: true }, alias: {} })).toEqual([]);
  });
});

describe('near misses', () => {
  it('suggests the flag a typo away, and keeps a --no- prefix', () => {
    expect(nearestFlag('--concurency', known)).toBe('--concurrency');
    expect(nearestFlag('--no-progres', known)).toBe('--no-progress');
    expect(nearestFlag('--bogus', known)).toBeUndefined();
  });

  it('only accepts candidates within a quarter of their length', () => {
    expect(nearestName('mien', ['mine', 'run'])).toBe('mine');
    expect(nearestName('xyz', ['run'])).toBeUndefined();
  });

  it('says it in one line', () => {
    expect(describeUnknownFlags(['--concurency'], known)).toBe('unknown flag --concurency (did you mean --concurrency?); see --help');
    expect(describeUnknownFlags(['--x', '--instancs'], known)).toBe('unknown flags --x, --instancs (did you mean --instances for --instancs?); see --help');
  });
});
