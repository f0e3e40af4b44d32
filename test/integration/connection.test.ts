import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServerError, connect, resolveCodex, type AppServerConnection, type Notification } from '../../src/index.js';
import { isAlive } from '../helpers/cas-cli.js';

let dir: string;
const codex = resolveCodex();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-conn-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function open(name: string, options: { optOut?: string[] } = {}): Promise<AppServerConnection> {
  const home = path.join(dir, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(home, { recursive: true }));
  return connect({
    command: codex.command,
    args: [...codex.prefixArgs, 'app-server'],
    env: { ...codex.env, CODEX_HOME: home },
    optOutNotificationMethods: options.optOut,
    requestTimeoutMs: 10_000,
  });
}

describe('connection to the real app-server', () => {
  it('completes the handshake and reports the server facts', async () => {
    const connection = await open('handshake');
    try {
      expect(connection.initializeResult).toMatchObject({ codexHome: path.join(dir, 'handshake'), platformFamily: expect.any(String) });
      expect(connection.initializeResult?.userAgent).toMatch(/^cas\//);
      expect(await connection.request('thread/list', { limit: 1 })).toMatchObject({ data: [], nextCursor: null });
      // The server refuses a second initialize: the handshake ran exactly once.
      await expect(connection.request('initialize', { clientInfo: { name: 'x', version: '1' } })).rejects.toThrow(/Already initialized/);
    } finally {
      await connection.close();
    }
  });

  it('turns JSON-RPC errors into AppServerError with the server code', async () => {
    const connection = await open('errors');
    try {
      const error = await connection.request('no/such/method', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppServerError);
      expect(error).toMatchObject({ kind: 'rpc', code: -32600 });
      const missing = await connection.request('thread/list').catch((e: unknown) => e);
      expect(missing).toMatchObject({ kind: 'rpc', code: -32600, message: expect.stringMatching(/missing field `params`/) });
    } finally {
      await connection.close();
    }
  });

  it('surfaces notifications as typed events, and honours optOutNotificationMethods', async () => {
    const listening = await open('notify');
    const quiet = await open('quiet', { optOut: ['thread/started'] });
    try {
      const seen: Notification[] = [];
      const quietSeen: Notification[] = [];
      listening.on('notification', (n) => seen.push(n));
      quiet.on('notification', (n) => quietSeen.push(n));
      const started = (await listening.request('thread/start', {})) as { thread: { id: string } };
      await quiet.request('thread/start', {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      const threadStarted = seen.find((n) => n.method === 'thread/started');
      expect(threadStarted?.params).toMatchObject({ thread: { id: started.thread.id } });
      expect(quietSeen.some((n) => n.method === 'thread/started')).toBe(false);
    } finally {
      await Promise.all([listening.close(), quiet.close()]);
    }
  });

  it('closes with stdin EOF: the process is gone and later requests fail at once', async () => {
    const connection = await open('close');
    const pid = connection.pid!;
    expect(isAlive(pid)).toBe(true);
    const exit = await connection.close();
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(isAlive(pid)).toBe(false);
    await expect(connection.request('thread/list', {})).rejects.toMatchObject({ kind: 'exited', code: 'exited' });
  });

  it('fails to start with a one-line error naming the binary', async () => {
    const error = await connect({ command: path.join(dir, 'no-such-codex'), args: ['app-server'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppServerError);
    expect(error).toMatchObject({ kind: 'startup', code: 'spawn-failed' });
    expect((error as Error).message).toContain('no-such-codex');
    expect((error as Error).message).not.toContain('\n');
  });
});
