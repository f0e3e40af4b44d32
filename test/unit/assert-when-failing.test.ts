import assert from 'node:assert';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The stand-in for `assert` in the yargs bundle (scripts/bundle-cli.mjs).
const shim = createRequire(import.meta.url)('../../scripts/shims/assert-when-failing.cjs') as Pick<typeof assert, 'strictEqual' | 'notStrictEqual'>;

/** What a check did: nothing, or the error it threw (its class and message). */
function outcome(check: () => void): string {
  try {
    check();
    return 'ok';
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

describe('assert-when-failing', () => {
  const object = {};
  const pairs: Array<[unknown, unknown]> = [[1, 1], [1, 2], [Number.NaN, Number.NaN], [0, -0], ['a', 'a'], ['1', 1], [object, object], [{}, {}], [undefined, null], ['string', typeof 'x']];

  it.each(pairs)('strictEqual(%o, %o) does what Node\'s does, message and all', (actual, expected) => {
    expect(outcome(() => shim.strictEqual(actual, expected, 'yargs says no'))).toBe(outcome(() => assert.strictEqual(actual, expected, 'yargs says no')));
    expect(outcome(() => shim.strictEqual(actual, expected))).toBe(outcome(() => assert.strictEqual(actual, expected)));
  });

  it.each(pairs)('notStrictEqual(%o, %o) does what Node\'s does, message and all', (actual, expected) => {
    expect(outcome(() => shim.notStrictEqual(actual, expected, 'yargs says no'))).toBe(outcome(() => assert.notStrictEqual(actual, expected, 'yargs says no')));
    expect(outcome(() => shim.notStrictEqual(actual, expected))).toBe(outcome(() => assert.notStrictEqual(actual, expected)));
  });

  it('fails a check with the AssertionError of Node\'s assert', () => {
    expect(() => shim.strictEqual(1, 2)).toThrow(assert.AssertionError);
  });
});
