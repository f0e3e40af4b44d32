import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListing } from '../../src/mine/listing-check.js';
import { HomeTracker } from '../../src/mine/mine-progress.js';
import { apiThreadFacts, judgeThread } from '../../src/mine/thread-filter.js';
import { jsonWithHole, ThreadLine } from '../../src/mine/thread-line.js';
import { ReadFailure, readThread, type PageRequest } from '../../src/mine/thread-reader.js';
import type { RequestOutcome } from '../../src/runner/execute-request.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-logic-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const ok = (result: unknown): RequestOutcome => ({ ok: true, result, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 1, startedAt: 0 });
const fail = (code: number | string, message: string): RequestOutcome => ({ ok: false, error: { code: code as never, message }, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 1, startedAt: 0 });

async function text(line: ThreadLine): Promise<string> {
  let out = '';
  for await (const piece of line.pieces()) out += piece.toString();
  return out;
}

describe('judgeThread', () => {
  it('excludes only what a filter certainly excludes', () => {
    const facts = { source: 'exec', modelProvider: 'openai', cwd: '/w' };
    expect(judgeThread(facts, {})).toEqual({ verdict: 'in' });
    expect(judgeThread(facts, { sourceKinds: ['cli', 'vscode'] })).toEqual({ verdict: 'out', reason: 'source exec' });
    expect(judgeThread({ ...facts, source: 'mcp' }, { sourceKinds: ['appServer'] })).toEqual({ verdict: 'in' });
    expect(judgeThread(facts, { modelProviders: ['mock'] })).toEqual({ verdict: 'out', reason: 'provider openai' });
    expect(judgeThread(facts, { cwd: ['/a', '/b'] })).toEqual({ verdict: 'out', reason: 'cwd' });
    expect(judgeThread({ ...facts, source: { subagent: 'review' } }, { sourceKinds: ['cli'] })).toEqual({ verdict: 'out', reason: 'source subAgent' });
    expect(judgeThread({ ...facts, source: { subagent: 'review' } }, { sourceKinds: ['subAgentReview'] }).verdict).toBe('unsure');
    expect(judgeThread(facts, { searchTerm: 'x' }).verdict).toBe('unsure');
  });

  it('reads the facts of a thread as the API gives it: attached and empty threads are never listed', () => {
    const thread = { id: 't', source: 'vscode', modelProvider: 'mock', cwd: '/w', attachedToThreadId: null, preview: 'hi' };
    expect(judgeThread(apiThreadFacts(thread), {})).toEqual({ verdict: 'in' });
    expect(judgeThread(apiThreadFacts({ ...thread, attachedToThreadId: 'p' }), {})).toEqual({ verdict: 'out', reason: 'attached to another thread' });
    expect(judgeThread(apiThreadFacts({ ...thread, preview: '' }), {})).toEqual({ verdict: 'out', reason: 'no user message' });
  });
});

describe('checkListing', () => {
  const rollout = (id: string, mtimeMs = 1000) => ({ id, dir, name: `${id}.jsonl`, mtimeMs });
  const walkOf = (files: Array<ReturnType<typeof rollout>>) => async (onFile: (file: ReturnType<typeof rollout>) => void) => files.forEach(onFile);
  const started = { listingStartedMs: Date.UTC(2030, 0, 1) };
  const head = (source: string) => async () => ({ id: undefined, source, modelProvider: 'p', cwd: '/w' });

  it('agrees when every rollout is listed', async () => {
    const { check, recover } = await checkListing({ ...started, walk: walkOf([rollout('a'), rollout('b')]), known: [new Set(['a']), new Set(['b'])], filters: {}, sinceMs: undefined, deep: false, readMeta: async () => ({ error: { code: -1, message: 'unused' } }) });
    expect(check).toMatchObject({ rollouts: 2, listed: 2, missing: 0, agrees: true });
    expect(recover).toEqual([]);
  });

  it('finds rollouts the listing lacked: within the filters they are missing (handed back), else left out with the reason', async () => {
    const meta: Record<string, Record<string, unknown>> = {
      m: { id: 'm', source: 'vscode', modelProvider: 'p', cwd: '/w', preview: 'hi' },
      e: { id: 'e', source: 'vscode', modelProvider: 'p', cwd: '/w', preview: '' },
    };
    const { check, recover } = await checkListing({
      ...started,
      walk: walkOf([rollout('a'), rollout('m'), rollout('e'), rollout('x'), rollout('u')]),
      known: [new Set(['a', 'gone'])],
      filters: { sourceKinds: ['vscode'] },
      sinceMs: undefined,
      deep: false,
      readHead: async (file) => (file.endsWith('x.jsonl') ? head('exec')() : head('vscode')()),
      readMeta: async (id) => (meta[id] !== undefined ? { thread: meta[id]! } : { error: { code: -32600, message: 'no rollout' } }),
    });
    expect(recover.map((thread) => thread.id)).toEqual(['m']);
    expect(check).toMatchObject({
      rollouts: 5,
      listed: 1,
      missing: 1,
      missingIds: ['m'],
      outsideFilters: { 'source exec': 1, 'no user message': 1 },
      unreadable: 1,
      unreadableIds: ['u'],
      listedWithoutRollout: 1,
      listedWithoutRolloutIds: ['gone'],
      agrees: false,
    });
  });

  it('leaves threads made after the listing began to the next mine (their UUIDv7 id says when)', async () => {
    const made = (ms: number) => `${ms.toString(16).padStart(12, '0').slice(0, 8)}-${ms.toString(16).padStart(12, '0').slice(8)}-7000-8000-000000000000`;
    const before = made(Date.UTC(2025, 0, 1));
    const after = made(Date.UTC(2031, 0, 1));
    const { check } = await checkListing({
      ...started,
      walk: walkOf([rollout(before), rollout(after)]),
      known: [],
      filters: {},
      sinceMs: undefined,
      deep: false,
      readHead: head('vscode'),
      readMeta: async (id) => ({ thread: { id, source: 'vscode', preview: 'p' } }),
    });
    expect(check).toMatchObject({ rollouts: 1, newer: 1, missing: 1, missingIds: [before] });
  });

  it('with --since, only rollouts changed since then are in reach, and the server has the last word', async () => {
    const { check } = await checkListing({
      ...started,
      walk: walkOf([rollout('old', 1_000), rollout('new', 100_000), rollout('stale', 100_000)]),
      known: [],
      filters: {},
      sinceMs: 50_000,
      deep: false,
      readHead: head('vscode'),
      readMeta: async (id) => ({ thread: { id, source: 'vscode', preview: 'p', updatedAt: id === 'stale' ? 10 : 100 } }),
    });
    expect(check).toMatchObject({ rollouts: 2, missing: 1, missingIds: ['new'], outsideFilters: { 'not changed since': 1 } });
  });
});

describe('readThread', () => {
  const thread = { id: 't', preview: 'hi', turns: [] };
  const turn = (id: string) => ({ id, items: [], itemsView: 'notLoaded', status: 'completed' });
  const item = (turnId: string, id: string) => ({ turnId, item: { type: 'agentMessage', id, text: id } });
  const paged = <T>(all: T[], size: number, params: Record<string, unknown>) => {
    const at = typeof params.cursor === 'string' ? Number(params.cursor) : 0;
    const next = at + size < all.length ? String(at + size) : null;
    return ok({ data: all.slice(at, at + size), nextCursor: next });
  };

  function server(turns: ReturnType<typeof turn>[], items: ReturnType<typeof item>[], options: { itemsListMissing?: boolean } = {}): { request: PageRequest; calls: string[] } {
    const calls: string[] = [];
    const request: PageRequest = async (method, params) => {
      calls.push(`${method}${params.turnId === undefined ? '' : `:${String(params.turnId)}`}${params.cursor === undefined ? '' : `@${String(params.cursor)}`}`);
      if (method === 'thread/turns/list') {
        const inline = params.itemsView === 'full';
        return paged(turns.map((one) => (inline ? { ...one, items: items.filter((entry) => entry.turnId === one.id).map((entry) => entry.item), itemsView: 'full' } : one)), 2, params);
      }
      if (options.itemsListMissing) return fail(-32601, 'thread/items/list is not supported yet');
      return paged(items.filter((entry) => params.turnId === undefined || entry.turnId === params.turnId), 2, params);
    };
    return { request, calls };
  }

  const read = (request: PageRequest, extra: Partial<Parameters<typeof readThread>[0]> = {}) =>
    readThread({ home: '/h', thread, items: 'full', pageSize: 2, request, redact: (json) => json, spillDir: dir, ...extra });

  it('pages turns and items and writes the thread as thread/read would, key order kept', async () => {
    const { request, calls } = server([turn('t1'), turn('t2'), turn('t3')], [item('t1', 'a'), item('t1', 'b'), item('t1', 'c'), item('t3', 'd')]);
    const line = await read(request);
    expect(JSON.parse(await text(line))).toEqual({
      codexHome: '/h',
      thread: {
        id: 't',
        preview: 'hi',
        turns: [
          { id: 't1', items: [item('t1', 'a').item, item('t1', 'b').item, item('t1', 'c').item], itemsView: 'full', status: 'completed' },
          { id: 't2', items: [], itemsView: 'full', status: 'completed' },
          { id: 't3', items: [item('t3', 'd').item], itemsView: 'full', status: 'completed' },
        ],
      },
    });
    expect(Object.keys(JSON.parse(await text(line)).thread)).toEqual(['id', 'preview', 'turns']);
    expect(calls).toEqual(['thread/turns/list', 'thread/items/list', 'thread/items/list@2', 'thread/turns/list@2']);
  });

  it('reads turn by turn when the thread-wide items do not follow the turns', async () => {
    const { request, calls } = server([turn('t1'), turn('t2')], [item('t2', 'late'), item('t1', 'a')]);
    const line = await read(request);
    const turns = JSON.parse(await text(line)).thread.turns as Array<{ items: Array<{ id: string }> }>;
    expect(turns.map((one) => one.items.map((entry) => entry.id))).toEqual([['a'], ['late']]);
    expect(calls).toContain('thread/items/list:t1');
  });

  it('takes items inline from thread/turns/list where thread/items/list is not there (legacy history)', async () => {
    const { request } = server([turn('t1')], [item('t1', 'a')], { itemsListMissing: true });
    const line = await read(request);
    expect(JSON.parse(await text(line)).thread.turns[0].items).toEqual([item('t1', 'a').item]);
  });

  it('asks for the items view the mode names, and fails with the request that failed', async () => {
    const views: unknown[] = [];
    const request: PageRequest = async (method, params) => {
      views.push(params.itemsView);
      return ok({ data: [], nextCursor: null });
    };
    await read(request, { items: 'summary' });
    await read(request, { items: 'none' });
    expect(views).toEqual(['summary', 'notLoaded']);
    await expect(read(async () => fail('timeout', 'no reply'))).rejects.toBeInstanceOf(ReadFailure);
  });

  it('moves a big line to a temp file and removes it once disposed', async () => {
    const items = Array.from({ length: 40 }, (_, index) => item('t1', `i${index}-${'x'.repeat(200)}`));
    const { request } = server([turn('t1')], items);
    const spillDir = path.join(dir, 'spill');
    await import('node:fs/promises').then((fs) => fs.mkdir(spillDir));
    const line = await read(request, { spillDir, spillBytes: 1000 });
    expect(line.spilled).toBe(true);
    expect(await readdir(spillDir)).toHaveLength(1);
    expect(JSON.parse(await text(line)).thread.turns[0].items).toHaveLength(40);
    await line.dispose();
    expect(await readdir(spillDir)).toEqual([]);
  });
});

describe('jsonWithHole', () => {
  it('splits redacted JSON around a field, wherever it sits', () => {
    const { head, tail } = jsonWithHole((marker) => ({ a: 1, turns: marker, token: 'secret' }), (json) => json.replace('"secret"', '"[redacted]"'));
    expect(`${head}[1,2]${tail}`).toBe('{"a":1,"turns":[1,2],"token":"[redacted]"}');
  });
});

describe('HomeTracker', () => {
  it('works out a recent rate and an ETA once the total is known', () => {
    let now = 0;
    const tracker = new HomeTracker('/h', 0, 0, () => now);
    expect(tracker.snapshot()).toMatchObject({ rate: 0, etaMs: null });
    tracker.total = 1000;
    now = 1000;
    tracker.written = 100;
    expect(tracker.snapshot()).toMatchObject({ rate: 100, etaMs: 9000 });
    tracker.phase = 'done';
    expect(tracker.snapshot().etaMs).toBe(0);
  });
});
