import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, redactorFor } from '../../src/report/redactor.js';

/** `{a:{a:...{leaf}}}` nested `depth` levels, built without recursion. */
function nested(depth: number, leaf: unknown): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value as Record<string, unknown>;
}

describe('Redactor', () => {
  it('replaces the values of secret-looking keys wherever they are', () => {
    const redactor = new Redactor();
    const out = redactor.value({ accessToken: 'abc', nested: [{ OPENAI_API_KEY: 'k', password: 'p', AWS_SECRET_ACCESS_KEY: 's', DB_PASSWD: 'x' }], maxTokens: 5 });
    expect(out).toEqual({ accessToken: REDACTED, nested: [{ OPENAI_API_KEY: REDACTED, password: REDACTED, AWS_SECRET_ACCESS_KEY: REDACTED, DB_PASSWD: REDACTED }], maxTokens: 5 });
  });

  it('leaves ordinary data keys alone', () => {
    expect(new Redactor().value({ sortKey: 'created_at', partition_key: 'p1', tokensUsed: 3 })).toEqual({ sortKey: 'created_at', partition_key: 'p1', tokensUsed: 3 });
  });

  it('cuts secret values out of any text, longest first', () => {
    const redactor = new Redactor([], ['s3cret-value-1', 's3cret-value-12']);
    expect(redactor.text('a s3cret-value-12 b s3cret-value-1')).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  it('takes the secrets of secret-looking environment variables, however loosely they are named', () => {
    const env = { AWS_SECRET_ACCESS_KEY: 'aws-secret-0001', GITHUB_PAT: 'ghp_abcdefgh1234', DB_PASSWD: 'hunter2hunter2', OPENAI_KEY: 'sk-abcdefgh', SERVICE_ACCESS_KEY: 'AKIAABCDEFGH', HOME: '/root/home', PWD: '/work/somewhere' };
    const redactor = redactorFor({ env });
    const text = Object.values(env).join(' ');
    expect(redactor.text(text)).toBe(`${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED} /root/home /work/somewhere`);
  });

  it('walks values nested far deeper than the call stack allows', () => {
    const redactor = new Redactor([], ['deep-secret-value']);
    const deep = nested(50_000, { token: 'x', note: 'has deep-secret-value inside' });
    let node = redactor.value(deep) as Record<string, unknown>;
    for (let i = 0; i < 50_000; i++) node = node.a as Record<string, unknown>;
    expect(node).toEqual({ token: REDACTED, note: `has ${REDACTED} inside` });
  });

  it('redacts deep JSON text and says when it changed it', () => {
    const redactor = new Redactor();
    const text = `${'{"a":'.repeat(20_000)}{"apiKey":"k"}${'}'.repeat(20_000)}`;
    const { text: out, changed } = redactor.json(text);
    expect(changed).toBe(true);
    expect(out.endsWith(`{"apiKey":"${REDACTED}"}${'}'.repeat(20_000)}`)).toBe(true);
    expect(redactor.json('{"a":1}')).toEqual({ text: '{"a":1}', changed: false });
  });
});
