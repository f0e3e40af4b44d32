import { describe, expect, it } from 'vitest';
import { plural } from '../../src/report/plural.js';

describe('plural', () => {
  it('says one without an s, any other count with one', () => {
    expect(plural(1, 'line')).toBe('1 line');
    expect(plural(0, 'line')).toBe('0 lines');
    expect(plural(2, 'home')).toBe('2 homes');
  });

  it('turns a consonant and y into ies, and leaves a vowel and y alone', () => {
    expect(plural(3, 'retry')).toBe('3 retries');
    expect(plural(2, 'day')).toBe('2 days');
  });

  it('formats the number as asked', () => {
    expect(plural(1200, 'thread', (value) => value.toLocaleString('en-US'))).toBe('1,200 threads');
  });
});
