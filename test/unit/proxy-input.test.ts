import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedProcess } from '../../src/process/child-process.js';
import type { Envelope } from '../../src/proxy/envelopes.js';
import { EventStream } from '../../src/proxy/event-stream.js';
import { readEnvelopes } from '../../src/proxy/input-loop.js';
import { newCounters } from '../../src/proxy/proxy-counters.js';
import { defaultStateFile, ProxyStateFile, readProxyState } from '../../src/proxy/proxy-state.js';
import { tapStderr } from '../../src/proxy/stderr-tap.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-proxy-input-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Reads envelopes from `input` until the loop stops; what it handled and the events it wrote. */
function loop(input: PassThrough) {
  const out = new PassThrough();
  const events = new EventStream(out, 's', 100, { onPause: () => undefined, onResume: () => undefined });
  const counters = newCounters();
  const handled: Envelope[] = [];
  const done = readEnvelopes({
    input,
    events,
    counters,
    whenWritable: async () => undefined,
    handle: (envelope) => {
      handled.push(envelope);
      return envelope.type === 'cas/exit';
    },
    stops: [],
  });
  const written = () => String(out.read() ?? '').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { done, handled, counters, written };
}

describe('readEnvelopes', () => {
  it('takes a UTF-8 byte order mark before the first line, and reports a bad line by number', async () => {
    const input = new PassThrough();
    const run = loop(input);
    input.end('\uFEFF{"type":"cas/state/get"}\n\uFEFF{"type":"cas/stats/get"}\n\n{"type":"cas/stats/get"}\n');
    expect(await run.done).toBe('input-ended');
    expect(run.handled.map((envelope) => envelope.type)).toEqual(['cas/state/get', 'cas/stats/get']);
    // Only line 1 may carry the mark: on line 2 it is not JSON.
    expect(run.written()).toEqual([expect.objectContaining({ type: 'cas/error', line: 2, message: 'line 2: not valid JSON' })]);
    expect(run.counters).toMatchObject({ clientLines: 3, clientParseErrors: 1 });
  });

  it('stops at cas/exit while the input stays open', async () => {
    const input = new PassThrough();
    const run = loop(input);
    input.write('{"type":"cas/exit"}\n{"type":"cas/state/get"}\n');
    expect(await run.done).toBe('exit-requested');
    expect(run.handled.map((envelope) => envelope.type)).toEqual(['cas/exit']);
    expect(input.writableEnded).toBe(false);
    // Closing the input afterwards surfaces nothing (no unhandled rejection of the read left waiting).
    input.destroy();
  });

  it('stops when told to, without waiting for input', async () => {
    const input = new PassThrough();
    const out = new PassThrough();
    const events = new EventStream(out, 's', 100, { onPause: () => undefined, onResume: () => undefined });
    const end = await readEnvelopes({ input, events, counters: newCounters(), whenWritable: async () => undefined, handle: () => false, stops: [Promise.resolve('signal' as const)] });
    expect(end).toBe('signal');
  });
});

describe('the proxy state file', () => {
  it('defaults to <home>/cas/state/<16 hex digits of sha256 of the absolute cwd>.json, where the original cas kept it', () => {
    const cwd = path.join(dir, 'work');
    const expected = createHash('sha256').update(cwd).digest('hex').slice(0, 16);
    expect(defaultStateFile('/home/u/.codex', cwd)).toBe(path.join('/home/u/.codex', 'cas', 'state', `${expected}.json`));
    expect(defaultStateFile('/h', path.relative(process.cwd(), cwd))).toBe(defaultStateFile('/h', cwd));
    expect(defaultStateFile('/h', '/a')).not.toBe(defaultStateFile('/h', '/b'));
  });

  it('reads back its own format and the original cas\'s {v, currentThreadId}; anything else is a fresh start', async () => {
    const original = path.join(dir, 'original.json');
    await writeFile(original, JSON.stringify({ v: 1, currentThreadId: 'thr-1' }));
    expect(await readProxyState(original)).toEqual({ currentThreadId: 'thr-1', lastTurnId: null, threads: [] });
    const junk = path.join(dir, 'junk.json');
    await writeFile(junk, 'not json');
    expect(await readProxyState(junk)).toBeUndefined();
    expect(await readProxyState(path.join(dir, 'missing.json'))).toBeUndefined();
  });

  it('creates missing directories, saves the current thread and last turn, and the next start loads them', async () => {
    const file = path.join(dir, 'deep', 'er', 'state.json');
    const changes: string[] = [];
    const first = new ProxyStateFile(file, 'session-1', '/work', (thread) => changes.push(thread));
    await first.load();
    first.observe({ threadId: 't1', turnId: 'u1' });
    first.observe({ threadId: 't2' });
    await first.save();
    expect(changes).toEqual(['t1', 't2']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ v: 1, currentThreadId: 't2', lastTurnId: 'u1', threads: ['t1', 't2'], sessionId: 'session-1', cwd: '/work' });
    const second = new ProxyStateFile(file, 'session-2', '/work');
    await second.load();
    expect(second.state).toMatchObject({ currentThreadId: 't2', lastTurnId: 'u1', threads: ['t1', 't2'], sessionId: 'session-2' });
  });
});

describe('tapStderr', () => {
  it('hands on whole lines, however the output is cut into chunks', () => {
    const stderr = new PassThrough();
    const fake = { pid: 1, stdin: new PassThrough(), stdout: new PassThrough(), stderr, kill: () => true, exited: new Promise(() => {}) } as unknown as SpawnedProcess;
    const lines: string[] = [];
    const spawn = tapStderr(() => fake, (line) => lines.push(line));
    expect(spawn({ command: 'x', args: [] })).toBe(fake);
    stderr.write('first li');
    stderr.write('ne\r\nsecond\n\n');
    stderr.end('unterminated');
    return new Promise<void>((resolve) => {
      stderr.on('end', () => {
        expect(lines).toEqual(['first line', 'second', 'unterminated']);
        resolve();
      });
      stderr.resume();
    });
  });
});
