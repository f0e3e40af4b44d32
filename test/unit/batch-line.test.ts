import { describe, expect, it } from 'vitest';
import { parseBatchLine } from '../../src/batch/batch-line.js';

describe('parseBatchLine', () => {
  it('reads a request, with params defaulting to {}', () => {
    expect(parseBatchLine('{"id":"a","method":"thread/list","params":{"limit":1}}', 1)).toEqual({
      kind: 'request',
      id: 'a',
      method: 'thread/list',
      params: { limit: 1 },
    });
    expect(parseBatchLine('{"method":"config/read"}', 2)).toEqual({ kind: 'request', id: null, method: 'config/read', params: {} });
  });

  it('skips blank lines', () => {
    expect(parseBatchLine('   ', 3)).toEqual({ kind: 'blank' });
  });

  it('names the line number and the problem of a bad line, keeping its id', () => {
    expect(parseBatchLine('{nope', 7)).toMatchObject({ kind: 'bad', id: null, message: expect.stringMatching(/^line 7: not valid JSON/) });
    expect(parseBatchLine('[1]', 8)).toEqual({ kind: 'bad', id: null, message: 'line 8: not a JSON object' });
    expect(parseBatchLine('{"id":4}', 9)).toEqual({ kind: 'bad', id: 4, message: 'line 9: needs a "method" string' });
    expect(parseBatchLine('{"id":"x","method":"m","params":[1]}', 10)).toEqual({ kind: 'bad', id: 'x', message: 'line 10: "params" must be a JSON object' });
  });
});
