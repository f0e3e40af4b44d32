import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateFileWriter, type InstanceState } from '../../src/instance/state-file.js';
import { Redactor } from '../../src/report/redactor.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function state(sent: number): InstanceState {
  return {
    index: 0,
    status: 'ready',
    pid: 1,
    transport: 'stdio',
    endpoint: 'codex',
    codexHome: '/h',
    userAgent: 'ua',
    startedAt: null,
    endedAt: null,
    restarts: 0,
    counters: { sent, ok: sent, failed: 0, retries: 0, overloaded: 0, timedOut: 0 },
    lastThreadId: null,
    lastError: null,
  };
}

describe('StateFileWriter', () => {
  it('coalesces touches into one write of the latest state, 0600, with no temp file left', async () => {
    const file = path.join(dir, 'instance-0.json');
    let sent = 0;
    const writer = new StateFileWriter(file, undefined, 20).follow(() => state(sent));
    for (sent = 1; sent <= 100; sent++) writer.touch();
    sent = 100;
    // The timer's write lands (however loaded the machine), with the latest state.
    const deadline = Date.now() + 5000;
    while ((await readFile(file, 'utf8').catch(() => '')) === '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.parse(await readFile(file, 'utf8')).counters.sent).toBe(100);
    sent = 101;
    await writer.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).counters.sent).toBe(101);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['instance-0.json']);
    expect(writer.writeError).toBeUndefined();
  });

  it('keeps going when a write fails, and says why', async () => {
    const writer = new StateFileWriter(path.join(dir, 'missing-dir', 'x.json'), undefined, 10).follow(() => state(1));
    await writer.flush();
    expect((writer.writeError as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('keeps secrets out: an error that quotes one is written redacted', async () => {
    const file = path.join(dir, 'instance-secret.json');
    const writer = new StateFileWriter(file, new Redactor([], ['sk-live-0123456789'])).follow(() => ({ ...state(1), lastError: 'failed: server said sk-live-0123456789' }));
    await writer.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).lastError).toBe('failed: server said [redacted]');
  });
});
