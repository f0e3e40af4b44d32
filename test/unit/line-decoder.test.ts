import { describe, expect, it } from 'vitest';
import { LineDecoder, type SkipReason } from '../../src/transport/line-decoder.js';

function decoder(maxLineLength?: number) {
  const values: unknown[] = [];
  const skipped: Array<[SkipReason, string]> = [];
  const lines = new LineDecoder({ onValue: (v) => values.push(v), onSkip: (r, s) => skipped.push([r, s]) }, { maxLineLength });
  return { lines, values, skipped };
}

describe('LineDecoder', () => {
  it('yields one value per line, across and within chunks', () => {
    const { lines, values } = decoder();
    lines.push('{"id":1,"res');
    lines.push('ult":{}}\n{"id":2,"result":2}\n{"me');
    lines.push('thod":"x"}\n');
    expect(values).toEqual([{ id: 1, result: {} }, { id: 2, result: 2 }, { method: 'x' }]);
  });

  it('skips and counts lines that are not JSON objects, and keeps going', () => {
    const { lines, values, skipped } = decoder();
    lines.push('WARN something\n{"id":1,"result":null}\n{"broken":\n[1,2]\n{"id":2,"result":true}\n');
    expect(values).toEqual([{ id: 1, result: null }, { id: 2, result: true }]);
    expect(skipped.map(([reason]) => reason)).toEqual(['not-json', 'not-json', 'not-json']);
    expect(skipped[0]![1]).toBe('WARN something');
  });

  it('ignores blank lines and CRLF endings', () => {
    const { lines, values, skipped } = decoder();
    lines.push('\n  \n{"id":1,"result":1}\r\n\r\n');
    expect(values).toEqual([{ id: 1, result: 1 }]);
    expect(skipped).toEqual([]);
  });

  it('drops an over-long line without buffering it, then recovers', () => {
    const { lines, values, skipped } = decoder(100);
    lines.push(`{"id":1,"result":"${'x'.repeat(80)}`);
    lines.push('x'.repeat(1000));
    lines.push('x'.repeat(1000));
    lines.push('"}\n{"id":2,"result":2}\n');
    expect(values).toEqual([{ id: 2, result: 2 }]);
    expect(skipped.map(([reason]) => reason)).toEqual(['too-long']);
  });

  it('reports a last line cut off without newline at end of stream', () => {
    const { lines, values, skipped } = decoder();
    lines.push('{"id":1,"result":1}\n{"id":2,"res');
    lines.end();
    expect(values).toEqual([{ id: 1, result: 1 }]);
    expect(skipped).toEqual([['not-json', '{"id":2,"res']]);
  });
});
