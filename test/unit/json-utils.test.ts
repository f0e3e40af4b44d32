import { describe, expect, it } from 'vitest';
import { jsonDepth, MAX_PARAMS_DEPTH } from '../../src/json/depth.js';
import { stringifyJson } from '../../src/json/stringify.js';

function deepArray(depth: number): unknown {
  return JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

describe('jsonDepth', () => {
  it('counts levels without recursion and stops past the limit', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: [] }] })).toBe(4);
    expect(jsonDepth(deepArray(100_000))).toBe(100_000);
    expect(jsonDepth(deepArray(100_000), 10)).toBe(11);
  });

  it('puts the params limit one below the message limit', () => {
    expect(MAX_PARAMS_DEPTH).toBe(126);
  });
});

describe('stringifyJson', () => {
  it('writes what JSON.stringify writes', () => {
    const value = { a: [1, 'two', null, true, { b: undefined, c: 'x"y' }], d: undefined, e: [undefined] };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  it('indents as JSON.stringify does, on the slow path too', () => {
    const value = { a: [1, { b: [] }, {}], c: 'x' };
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(stringifyJson(value, 2)).toBe(JSON.stringify(value, null, 2));
    const text = stringifyJson({ deep }, 2);
    expect(JSON.parse(text)).toEqual({ deep: expect.any(Array) });
    expect(text.startsWith('{\n  "deep": [\n    [\n      [')).toBe(true);
  });

  it('writes values too deep for JSON.stringify, and they parse back the same', () => {
    const depth = 60_000;
    const text = `${'{"k":['.repeat(depth)}"leaf"${']}'.repeat(depth)}`;
    const value = JSON.parse(text);
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(stringifyJson(value)).toBe(text);
  });
});
