import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { Timeline } from '../../src/report/timeline.js';

describe('Timeline', () => {
  it('counts sends by start second and completions, errors and percentiles by end second', () => {
    const timeline = new Timeline(1000);
    timeline.add(1000, 1010, 10, true);
    timeline.add(1100, 1120, 20, true);
    timeline.add(1900, 2100, 200, false, 2); // sent in second 0, ended in second 1, after two -32001 refusals
    timeline.add(2500, 2504, 4, true);
    const rows = timeline.toArray();
    expect(rows.map(({ second, sent, completed, errors, overloaded }) => ({ second, sent, completed, errors, overloaded }))).toEqual([
      { second: 0, sent: 3, completed: 2, errors: 0, overloaded: 0 },
      { second: 1, sent: 1, completed: 2, errors: 1, overloaded: 2 },
    ]);
    expect(rows[0]!.p50).toBeCloseTo(10, 0);
    expect(rows[0]!.p90).toBeCloseTo(20, 0);
    expect(rows[0]!.p99).toBeCloseTo(20, 0);
    expect(rows[1]!.p99).toBeCloseTo(200, -1);
  });

  it('leaves quiet seconds in, with null percentiles', () => {
    const timeline = new Timeline(0);
    timeline.add(0, 5, 5, true);
    timeline.add(3000, 3005, 5, true);
    const rows = timeline.toArray();
    expect(rows.map((row) => row.completed)).toEqual([1, 0, 0, 1]);
    expect(rows[1]).toMatchObject({ sent: 0, p50: null, p90: null, p99: null });
  });

  it('never puts a percentile above the second\'s largest latency or below its smallest', () => {
    const timeline = new Timeline(0);
    // 2 significant digits: 102.262 ms falls in a bucket whose top is above it.
    timeline.add(0, 102.262, 102.262, true);
    timeline.add(0, 102.262, 102.262, true);
    const [row] = timeline.toArray();
    expect([row!.p50, row!.p90, row!.p99]).toEqual([102.262, 102.262, 102.262]);
  });

  it('reads the live second as it stands, and later additions to that second still count in full', () => {
    const timeline = new Timeline(0);
    for (let i = 0; i < 10; i++) timeline.add(100, 110, 10, true);
    const early = timeline.toArray()[0]!;
    expect(early).toMatchObject({ completed: 10, p99: 10, max: 10 });
    timeline.histograms();
    // Ten more, slower, in the same second.
    for (let i = 0; i < 10; i++) timeline.add(200, 500, 300, true);
    const [row] = timeline.toArray();
    expect(row).toMatchObject({ completed: 20, min: 10, max: 300, p99: 300 });
    expect(row!.p50).toBeCloseTo(10, 0);
    // The row's histogram holds all twenty.
    const [encoded] = timeline.histograms();
    expect(hdr.decodeFromCompressedBase64(encoded!).totalCount).toBe(20);
    // And a read changes nothing: the same again.
    expect(timeline.toArray()).toEqual([row]);
  });
});
