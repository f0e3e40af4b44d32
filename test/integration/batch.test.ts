import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/batch/run-batch.js';
import type { BatchResult } from '../../src/batch/batch-result.js';
import { cas, fixture } from '../helpers/cas-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-batch-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const results = (text: string): BatchResult[] => text.trim().split('\n').map((line) => JSON.parse(line) as BatchResult);

async function input(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('cas batch against the real app-server', () => {
  it('runs every line, keeps input order, and reports bad lines by number without stopping', async () => {
    const lines = Array.from({ length: 120 }, (_, i) =>
      i % 3 === 0 ? JSON.stringify({ id: `list-${i}`, method: 'thread/list', params: { limit: (i % 5) + 1 } }) : JSON.stringify({ id: i, method: 'config/read' }),
    );
    lines.splice(10, 0, 'this is not json');
    lines.splice(20, 0, '');
    lines.splice(30, 0, JSON.stringify({ id: 'no-method', params: {} }));
    lines.splice(40, 0, JSON.stringify({ id: 'bad-params', method: 'thread/list', params: [1] }));
    lines.push(JSON.stringify({ id: 'server-error', method: 'thread/read', params: { threadId: 'nope' } }));
    const file = await input('mixed.jsonl', lines);
    const reportFile = path.join(dir, 'mixed-report.json');
    const { exitCode, stdout, stderr } = await cas(['batch', '--input', file, '--instances', '3', '--concurrency', '4', '--report', reportFile]);
    expect(exitCode).toBe(1);
    const out = results(stdout);
    // One result per non-blank line, in input order.
    expect(out).toHaveLength(lines.length - 1);
    const lineNumbers = lines.flatMap((text, index) => (text.trim() === '' ? [] : [index + 1]));
    expect(out.map((result) => result.line)).toEqual(lineNumbers);
    const lineOf = (text: string) => lines.indexOf(text) + 1;
    const byLine = (n: number) => out.find((result) => result.line === n)!;
    const notJson = lineOf('this is not json');
    const noMethod = lineOf(JSON.stringify({ id: 'no-method', params: {} }));
    expect(byLine(notJson)).toMatchObject({ ok: false, id: null, attempts: 0, instance: null, error: { code: 'bad-input', message: expect.stringMatching(new RegExp(`^line ${notJson}: not valid JSON`)) } });
    expect(byLine(noMethod)).toMatchObject({ ok: false, id: 'no-method', error: { code: 'bad-input', message: `line ${noMethod}: needs a "method" string` } });
    expect(out.find((result) => result.id === 'bad-params')).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(out.at(-1)).toMatchObject({ ok: false, id: 'server-error', attempts: 1, error: { code: -32600 } });
    const good = out.filter((result) => result.ok);
    expect(good).toHaveLength(120);
    expect(good.every((result) => typeof result.instance === 'number' && result.latencyMs > 0 && result.attempts === 1)).toBe(true);
    expect(new Set(good.map((result) => result.instance))).toEqual(new Set([0, 1, 2]));
    expect(out.find((result) => result.id === 'list-3')?.result).toMatchObject({ data: [], nextCursor: null });
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as BatchReport;
    expect(report.lines).toEqual({ read: 124, requests: 121, bad: 3, written: 124 });
    // Bad lines are results out like any other: counted as failed, and listed as errors.
    expect(report.requests).toMatchObject({ total: 124, ok: 120, failed: 4 });
    const count = (code: string | number) => report.errors.filter((error) => error.code === code).reduce((sum, error) => sum + error.count, 0);
    expect([count('bad-input'), count(-32600)]).toEqual([3, 1]);
    expect(stderr).toMatch(/^cas batch: 124 lines \(121 requests, 3 bad\), 124 results written/);
    expect(stderr).toMatch(/ok 120, failed 4/);
    expect(stderr).toMatch(/error \[bad-input\] x\d: line \d+: /);
  });

  it('reads stdin with --input - and exits 0 when every line succeeds', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { limit: 1 } }));
    const { exitCode, stdout } = await cas(['batch', '--input', '-', '--concurrency', '8'], { input: `${lines.join('\n')}\n` });
    expect(exitCode).toBe(0);
    expect(results(stdout).map((result) => result.id)).toEqual(lines.map((_, i) => i));
  });

  it('stops at the first bad line with --fail-fast', async () => {
    const lines = [
      ...Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: {} })),
      '{broken',
      ...Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: 100 + i, method: 'thread/list', params: {} })),
    ];
    const file = await input('fail-fast.jsonl', lines);
    const { exitCode, stdout, stderr } = await cas(['batch', '--input', file, '--fail-fast']);
    expect(exitCode).toBe(1);
    const out = results(stdout);
    expect(out.slice(0, 6).map((result) => result.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out[5]).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    // Stopped there: nothing after the bad line was read, and what was read is accounted for.
    expect(out).toHaveLength(6);
    expect(stderr).toMatch(/stopped early \(--fail-fast\)/);
  });

  it('names a missing input file as a usage error', async () => {
    const { exitCode, stderr } = await cas(['batch', '--input', path.join(dir, 'missing.jsonl')]);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/--input .*missing.jsonl: no such file/);
  });
});

describe('cas batch ordering under out-of-order completion', () => {
  it('writes results in input order when a slow instance finishes its lines late', async () => {
    const homes = path.join(dir, 'slow-homes');
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: i, method: 'thread/list', params: { n: i } }));
    const file = await input('ordered.jsonl', lines);
    const { exitCode, stdout } = await cas([
      'batch', '--input', file, '--instances', '2', '--concurrency', '2', '--window', '8',
      '--codex-bin', fixture('slow-first-home.mjs'), '--codex-arg=--delay-ms=150', '--codex-home', path.join(homes, 'home-{i}'),
    ]);
    expect(exitCode).toBe(0);
    const out = results(stdout);
    expect(out.map((result) => result.id)).toEqual(lines.map((_, i) => i));
    // The fake echoes params: each result is the answer to its own line.
    expect(out.every((result) => (result.result as { echo: { n: number } }).echo.n === result.id)).toBe(true);
    // Completions really were out of order: the slow instance ran some lines, the fast one the rest.
    const slowLines = out.filter((result) => result.instance === 0).map((result) => result.line);
    expect(slowLines.length).toBeGreaterThan(0);
    expect(slowLines.length).toBeLessThan(out.length - slowLines.length);
  });
});
