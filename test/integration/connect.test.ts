import { createHmac } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceState } from '../../src/instance/state-file.js';
import { cas, casRun, isAlive } from '../helpers/cas-cli.js';
import { PINNED_CODEX_VERSION } from '../helpers/pinned-codex.js';
import { startRealServer, type ListeningServer } from '../helpers/listening-server.js';

// cas against servers that are already running: `codex app-server --listen ws://` (with and
// without auth), `--listen unix://PATH`, and the local daemon's control socket.

let dir: string;
const servers: ListeningServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-connect-'));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await rm(dir, { recursive: true, force: true });
});

async function serve(name: string, at: Parameters<typeof startRealServer>[1]): Promise<ListeningServer> {
  const server = await startRealServer(path.join(dir, name), at);
  servers.push(server);
  return server;
}

/** A signed HS256 JWT, as a `--ws-auth signed-bearer-token` server checks it. */
function jwt(secret: string, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('--connect ws:// with no auth', () => {
  it('runs over N connections, each with its own handshake, keeps state files, touches no home', async () => {
    const server = await serve('plain', { ws: true });
    const runDir = path.join(dir, 'run-plain');
    const { exitCode, report } = await casRun(['--connect', server.url, '--instances', '3', '--concurrency', '4', '--requests', '300', '--run-dir', runDir]);
    expect(exitCode).toBe(0);
    expect(report.requests).toMatchObject({ total: 300, ok: 300, failed: 0 });
    expect(report.codex).toMatchObject({ path: server.url, source: 'connect', version: PINNED_CODEX_VERSION });
    expect(report.perInstance).toHaveLength(3);
    for (const instance of report.perInstance) {
      expect(instance).toMatchObject({ transport: 'ws', endpoint: server.url, codexHome: path.join(dir, 'plain'), pid: null, status: 'closed' });
      expect(instance.requests).toBeGreaterThan(0);
    }
    // cas made no home: the server owns its own.
    expect(await readdir(runDir)).not.toContain('homes');
    const state = JSON.parse(await readFile(path.join(runDir, 'state', 'instance-0.json'), 'utf8')) as InstanceState;
    expect(state).toMatchObject({ transport: 'ws', endpoint: server.url, codexHome: path.join(dir, 'plain'), status: 'closed' });
    expect(isAlive(server.pid)).toBe(true);
  });
});

describe('--connect to a capability-token server', () => {
  let server: ListeningServer;
  const token = 'cap-token-7f3a9c2e51d84b06';
  let good: string;
  let bad: string;
  beforeAll(async () => {
    good = path.join(dir, 'good-token');
    bad = path.join(dir, 'bad-token');
    await writeFile(good, `${token}\n`, { mode: 0o600 });
    await writeFile(bad, 'not-the-token-0123456789\n', { mode: 0o600 });
    server = await serve('capability', { ws: true, args: ['--ws-auth', 'capability-token', '--ws-token-file', good] });
  });

  it('works with the right token, which appears in no output, report or state file', async () => {
    const runDir = path.join(dir, 'run-token');
    const { exitCode, stdout, stderr, report } = await casRun(['--connect', server.url, '--ws-token-file', good, '-n', '2', '--requests', '50', '--run-dir', runDir]);
    expect(exitCode).toBe(0);
    expect(report.requests.ok).toBe(50);
    expect(stdout + stderr).not.toContain(token);
    for (const file of await readdir(path.join(runDir, 'state'))) expect(await readFile(path.join(runDir, 'state', file), 'utf8')).not.toContain(token);
  });

  it.each([
    ['a wrong token', ['--ws-token-file', 'BAD'], /HTTP 401 invalid websocket bearer token/],
    ['no token', [], /HTTP 401 missing websocket bearer token/],
  ])('%s: one clear line and exit 1, before any work', async (_name, flags, message) => {
    const args = flags.map((flag) => (flag === 'BAD' ? bad : flag));
    const { exitCode, stdout, stderr } = await cas(['run', '--connect', server.url, ...args, '-n', '4', '--requests', '100', '--json']);
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stderr).toContain(server.url);
    expect(stderr).not.toContain('not-the-token');
  });
});

describe('--connect to a signed-bearer-token server', () => {
  it('sends the JWT from --ws-bearer-token-file; an expired one is refused', async () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!!';
    const secretFile = path.join(dir, 'jwt-secret');
    await writeFile(secretFile, secret, { mode: 0o600 });
    const server = await serve('signed', { ws: true, args: ['--ws-auth', 'signed-bearer-token', '--ws-shared-secret-file', secretFile, '--ws-audience', 'cas-test'] });
    const now = Math.floor(Date.now() / 1000);
    const valid = path.join(dir, 'valid.jwt');
    await writeFile(valid, jwt(secret, { exp: now + 3600, aud: 'cas-test' }));
    const ok = await cas(['request', '--connect', server.url, '--ws-bearer-token-file', valid, '--method', 'thread/list', '--params', '{"limit":1}']);
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty('data');
    const expired = path.join(dir, 'expired.jwt');
    await writeFile(expired, jwt(secret, { exp: now - 3600, aud: 'cas-test' }));
    const refused = await cas(['request', '--connect', server.url, '--ws-bearer-token-file', expired, '--method', 'thread/list']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401 expired websocket jwt/);
  });
});

describe('--connect unix://PATH', () => {
  it('speaks WebSocket over the socket, as codex serves it', async () => {
    const socket = path.join(dir, 'server.sock');
    const server = await serve('unix', { unix: socket });
    const { exitCode, report } = await casRun(['--connect', server.url, '-n', '2', '--concurrency', '4', '--requests', '200']);
    expect(exitCode).toBe(0);
    expect(report.requests.ok).toBe(200);
    expect(report.perInstance.map((instance) => [instance.transport, instance.endpoint])).toEqual([
      ['unix', `unix://${socket}`],
      ['unix', `unix://${socket}`],
    ]);
  });
});

describe('--connect daemon', () => {
  // `codex app-server daemon start` runs `codex app-server --listen unix://` on $CODEX_HOME (after
  // copying itself into the home, ~10-30 s here); the same server, started directly, binds the
  // same control socket, which cas must find on its own.
  it('finds the control socket the way codex does: $CODEX_HOME/app-server-control/app-server-control.sock', async () => {
    const home = path.join(dir, 'daemon-home');
    await serve('daemon-home', { unix: '', args: [] });
    await expect(readdir(path.join(home, 'app-server-control'))).resolves.toContain('app-server-control.sock');
    const { exitCode, stdout, stderr } = await cas(['request', '--connect', 'daemon', '--method', 'thread/list', '--params', '{"limit":1}'], { env: { CODEX_HOME: home } });
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toHaveProperty('data');
    const { report } = await casRun(['--connect', 'daemon', '--requests', '2'], { env: { CODEX_HOME: home } });
    expect(report.perInstance[0]).toMatchObject({ transport: 'unix', endpoint: `unix://${path.join(home, 'app-server-control', 'app-server-control.sock')}`, codexHome: home });
  });

  it('says so when no daemon is running', async () => {
    const home = await mkdtemp(path.join(dir, 'no-daemon-'));
    const { exitCode, stderr } = await cas(['request', '--connect', 'daemon', '--method', 'thread/list', '--startup-retries', '0'], { env: { CODEX_HOME: home } });
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`unix://${path.join(home, 'app-server-control', 'app-server-control.sock')}`);
    expect(stderr).toMatch(/no socket there/);
  });
});
