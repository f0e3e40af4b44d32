import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readToken, TokenFileError } from '../../src/transport/bearer-token.js';
import { daemonSocketPath, EndpointError, parseEndpoint } from '../../src/transport/endpoint.js';

describe('parseEndpoint', () => {
  it('reads ws and wss URLs, with /readyz beside them', () => {
    expect(parseEndpoint('ws://127.0.0.1:4500')).toEqual({ kind: 'ws', display: 'ws://127.0.0.1:4500', url: 'ws://127.0.0.1:4500/', readyzUrl: 'http://127.0.0.1:4500/readyz' });
    expect(parseEndpoint('wss://example.test:443/rpc')).toMatchObject({ kind: 'ws', display: 'wss://example.test:443/rpc', url: 'wss://example.test:443/rpc', readyzUrl: 'https://example.test:443/readyz' });
    expect(parseEndpoint('ws://[::1]:80').display).toBe('ws://[::1]:80');
  });

  it('reads unix://PATH as WebSocket over the socket, relative paths from the cwd', () => {
    expect(parseEndpoint('unix:///run/codex.sock')).toEqual({ kind: 'unix', display: 'unix:///run/codex.sock', url: 'ws+unix:///run/codex.sock:/', socketPath: '/run/codex.sock' });
    expect(parseEndpoint('unix://rel.sock').socketPath).toBe(path.resolve('rel.sock'));
  });

  it('finds the daemon where codex does: $CODEX_HOME, else ~/.codex', () => {
    expect(daemonSocketPath({ CODEX_HOME: '/h' })).toBe('/h/app-server-control/app-server-control.sock');
    expect(daemonSocketPath({ CODEX_HOME: '', HOME: '/home/u' })).toBe('/home/u/.codex/app-server-control/app-server-control.sock');
    expect(parseEndpoint('daemon', { CODEX_HOME: '/h' })).toEqual(parseEndpoint('unix://', { CODEX_HOME: '/h' }));
  });

  it.each([
    ['http://127.0.0.1:1', /expected ws:\/\/HOST:PORT/],
    ['127.0.0.1:4500', /expected ws:\/\/HOST:PORT/],
    ['ws://localhost', /name the host and port/],
    ['ws://user:pw@127.0.0.1:1', /no credentials or query/],
    ['ws://127.0.0.1:1/?token=abc', /no credentials or query/],
  ])('refuses %s', (value, message) => {
    expect(() => parseEndpoint(value)).toThrow(EndpointError);
    expect(() => parseEndpoint(value)).toThrow(message);
  });
});

describe('readToken', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cas-token-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const source = (file: string) => ({ flag: '--ws-token-file', file });

  it('trims the file as codex trims its own', async () => {
    await writeFile(path.join(dir, 't'), '  tok-123\n');
    await expect(readToken(source(path.join(dir, 't')))).resolves.toBe('tok-123');
  });

  it.each([
    ['missing', async () => path.join(dir, 'none'), /no such file/],
    ['empty', async () => (await writeFile(path.join(dir, 'e'), '\n'), path.join(dir, 'e')), /the file is empty/],
    ['two lines', async () => (await writeFile(path.join(dir, 'two'), 'a\nb\n'), path.join(dir, 'two')), /more than one line/],
    ['a directory', async () => dir, /not a regular file/],
    ['a FIFO (never blocks)', async () => (await mkfifoAt(path.join(dir, 'fifo')), path.join(dir, 'fifo')), /not a regular file/],
  ])('refuses a token file that is %s, without quoting it', async (_name, make, message) => {
    const file = await make();
    const error = await readToken(source(file)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(`--ws-token-file ${file}: `)).toBe(true);
  });
});

async function mkfifoAt(file: string): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  execFileSync('mkfifo', [file]);
}
