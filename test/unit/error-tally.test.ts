import { describe, expect, it } from 'vitest';
import { errorShape, ErrorTally } from '../../src/report/error-tally.js';

describe('ErrorTally', () => {
  it('folds kinds beyond 100 distinct ones into one entry per code', () => {
    const tally = new ErrorTally();
    for (let i = 0; i < 150; i++) tally.add(-32600, `thread ${'x'.repeat(i)} not found`);
    const entries = tally.toArray();
    expect(entries).toHaveLength(101);
    expect(entries[0]).toEqual({ code: -32600, message: '(other messages)', count: 50 });
    expect(entries.reduce((sum, entry) => sum + entry.count, 0)).toBe(150);
  });

  it('counts errors of one shape as one kind, whatever home, id, path or line they name', () => {
    const tally = new ErrorTally();
    tally.add('exited', 'thread/list failed: app-server was killed by SIGKILL; stderr: WARNING: codex_home /tmp/run/homes/0');
    tally.add('exited', 'thread/list failed: app-server was killed by SIGKILL; stderr: WARNING: codex_home /tmp/run/homes/1');
    tally.add(-32600, 'thread not loaded: 01a1fdaf-dca5-7e61-9e88-51c9157a1e0c');
    tally.add(-32600, 'thread not loaded: 01a1fdaf-dc8f-7260-a5b3-d36346ecc207');
    tally.add('bad-input', 'line 11: not valid JSON');
    tally.add('bad-input', 'line 231: not valid JSON');
    tally.add('bad-input', 'line 31: needs a "method" string');
    expect(tally.toArray()).toEqual([
      { code: 'exited', message: 'thread/list failed: app-server was killed by SIGKILL; stderr: WARNING: codex_home /tmp/run/homes/0', count: 2 },
      { code: -32600, message: 'thread not loaded: 01a1fdaf-dca5-7e61-9e88-51c9157a1e0c', count: 2 },
      { code: 'bad-input', message: 'line 11: not valid JSON', count: 2 },
      { code: 'bad-input', message: 'line 31: needs a "method" string', count: 1 },
    ]);
  });

  it('keeps apart what differs in words', () => {
    expect(errorShape('thread/list got no reply within 30000 ms')).toBe('thread/list got no reply within <n> ms');
    expect(errorShape('a')).not.toBe(errorShape('b'));
  });
});
