import { describe, expect, it } from 'vitest';
import { decodeJsonEscapes, Redactor } from '../../src/report/redactor.js';

describe('redaction of JSON text written with escapes', () => {
  const password = 'pa"ss\\word-0123456789';
  const apiKey = 'sk-test-ABCDEFGHIJ';
  const redactor = new Redactor([], [password, apiKey]);

  it('finds a known secret whose JSON form differs from it (a quote or backslash in it)', () => {
    const text = JSON.stringify({ note: `the password is ${password}` });
    expect(text.includes(password)).toBe(false);
    const out = redactor.json(text);
    expect(out.changed).toBe(true);
    expect(JSON.parse(out.text)).toEqual({ note: 'the password is [redacted]' });
  });

  it('finds a secret, or a secret key, written with \\u escapes', () => {
    const escaped = `{"note":"key \\u0073k-test-ABCDEFGHIJ","\\u0061ccessToken":"eyJ-not-for-you"}`;
    expect(JSON.parse(escaped)).toEqual({ note: `key ${apiKey}`, accessToken: 'eyJ-not-for-you' });
    const out = redactor.json(escaped);
    expect(out.changed).toBe(true);
    expect(JSON.parse(out.text)).toEqual({ note: 'key [redacted]', accessToken: '[redacted]' });
  });

  it('leaves escaped text that holds no secret exactly as it was', () => {
    const text = '{"text":"line one\\nline \\"two\\" \\u00e9","tokensUsed":3}';
    expect(redactor.json(text)).toEqual({ text, changed: false });
  });

  it('decodes escapes as a JSON parser does', () => {
    const values = ['a"b', 'back\\slash', 'tab\there', 'é ü 😀', '\\u0041 stays literal'];
    for (const value of values) expect(decodeJsonEscapes(JSON.stringify(value))).toBe(`"${value}"`);
    expect(decodeJsonEscapes('"\\u0041\\\\u0041"')).toBe('"A\\u0041"');
    expect(decodeJsonEscapes('"\\ud83d\\ude00"')).toBe('"😀"');
  });
});
