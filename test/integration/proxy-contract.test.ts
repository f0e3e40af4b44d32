import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCodex } from '../../src/codex/resolve-codex.js';
import { fixture } from '../helpers/cas-cli.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';

// What the original cas client (cas_client.mjs) and the scripts built on it read of each event:
// every key must be there, null when it does not apply, as the original proxy sent them.
const COMMON = ['type', 'v', 'seq', 'ts', 'sessionId', 'pid'];
const KEYS = ['threadId', 'turnId', 'itemId'];
const FIELDS: Record<string, string[]> = {
  'cas/state': ['kind', 'stateFile', 'currentThreadId', 'state'],
  'cas/starting': ['codexPath', 'stateFile', 'cwd'],
  'cas/ready': ['appServerPid', 'appServerUserAgent', 'cwd', 'stateFile', 'codexPath'],
  'cas/fromServer': ['kind', 'id', 'method', 'requestMethod', 'clientRequestId', 'internal', ...KEYS],
  'cas/toServer': ['kind', 'id', 'method', 'reason', ...KEYS, 'msg'],
  'cas/serverRequest': ['id', 'method', 'timeoutMs', ...KEYS, 'msg'],
  'cas/serverRequestTimeout': ['id', 'method', 'timeoutMs', ...KEYS],
  'cas/stats': ['kind', 'snapshot'],
  'cas/error': ['message'],
  'cas/exiting': ['reason'],
  'cas/appServerExit': ['code', 'signal'],
  'cas/appServerStderr': ['line'],
};

let dir: string;
let execScript: string;
let toolScript: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-proxy-contract-'));
  execScript = path.join(dir, 'exec-script.json');
  await writeFile(execScript, JSON.stringify({ steps: [{ functionCall: { name: 'exec_command', arguments: { cmd: 'touch marker.txt', sandbox_permissions: 'require_escalated', justification: 'test' } } }] }));
  toolScript = path.join(dir, 'tool-script.json');
  await writeFile(toolScript, JSON.stringify({ steps: [{ functionCall: { name: 'lookup', arguments: { q: 'x' } } }], afterToolText: 'got it' }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const TOOL = { type: 'function', name: 'lookup', description: 'Look a thing up', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } };
const APPROVAL = 'item/commandExecution/requestApproval';

/** The answer cas sent to a server request (server and client number their requests apart: match the kind too). */
function answerTo(proxy: ProxyDriver, id: unknown) {
  return proxy.ofType('cas/toServer').find((event) => event.kind === 'response' && event.id === id);
}

async function workDir(name: string): Promise<string> {
  const work = path.join(dir, name);
  await mkdir(work, { recursive: true });
  return work;
}

/** Starts a thread and a turn on it; resolves with the thread id once the turn completed. */
async function turn(proxy: ProxyDriver, name: string, threadParams: Record<string, unknown>): Promise<string> {
  proxy.send({ type: 'cas/request', clientRequestId: `${name}-thread`, method: 'thread/start', params: threadParams });
  const threadId = ((await proxy.reply(`${name}-thread`)).msg!.result as { thread: { id: string } }).thread.id;
  proxy.send({ type: 'cas/request', clientRequestId: `${name}-turn`, method: 'turn/start', params: { threadId, input: [{ type: 'text', text: 'go' }] } });
  await proxy.waitFor((event) => event.msg?.method === 'turn/completed' && event.threadId === threadId, 60_000);
  return threadId;
}

describe('cas proxy: the original cas proxy contract', () => {
  it('every envelope in, every event out, with the fields the original client reads', async () => {
    const work = await workDir('fields');
    const proxy = new ProxyDriver(['--mock-model', '--mock-script', toolScript, '--server-request-timeout-ms', '1500', '--cwd', work]);
    // A byte order mark before the first line is taken.
    proxy.send(`\uFEFF${JSON.stringify({ type: 'cas/request', clientRequestId: 'start', method: 'thread/start', params: { dynamicTools: [TOOL] } })}`);
    const started = await proxy.reply('start');
    const threadId = (started.msg!.result as { thread: { id: string; cwd: string } }).thread.id;
    expect((started.msg!.result as { thread: { cwd: string } }).thread.cwd).toBe(work);
    proxy.send(
      { type: 'cas/request', clientRequestId: 'missing', method: 'thread/read', params: { threadId: '00000000-0000-0000-0000-000000000000' } },
      { type: 'cas/send', msg: { id: 'raw-1', method: 'thread/loaded/list', params: {} } },
      { type: 'cas/state/get' },
      { type: 'cas/stats/get' },
    );
    await proxy.reply('missing');
    await proxy.waitFor((event) => event.type === 'cas/fromServer' && event.id === 'raw-1');
    // Turn 1: the tool call is forwarded and answered; turn 2: it is left to time out.
    proxy.send({ type: 'cas/request', clientRequestId: 'turn-1', method: 'turn/start', params: { threadId, input: [{ type: 'text', text: 'one' }] } });
    const forwarded = await proxy.waitFor((event) => event.type === 'cas/serverRequest');
    proxy.send({ type: 'cas/respond', id: forwarded.id, result: { contentItems: [{ type: 'inputText', text: 'forty-two' }], success: true } });
    const first = await proxy.waitFor((event) => event.method === 'turn/completed');
    proxy.send({ type: 'cas/request', clientRequestId: 'turn-2', method: 'turn/start', params: { threadId, input: [{ type: 'text', text: 'two' }] } });
    await proxy.waitFor((event) => event.type === 'cas/serverRequestTimeout');
    await proxy.waitFor((event) => event.method === 'turn/completed', 30_000, proxy.events.indexOf(first) + 1);
    // cas/exit ends the proxy while its stdin stays open.
    const { exitCode } = await proxy.exit();
    expect(exitCode).toBe(0);
    expect(proxy.process.stdin!.writableEnded).toBe(false);

    const { events } = proxy;
    for (const event of events) {
      for (const key of [...COMMON, ...(FIELDS[event.type] ?? [])]) expect(event, `${event.type} has ${key}`).toHaveProperty(key);
      expect(event).toMatchObject({ v: 1, pid: proxy.process.pid });
    }
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const types = new Set(events.map((event) => event.type));
    for (const type of Object.keys(FIELDS).filter((type) => type !== 'cas/appServerStderr')) expect(types, type).toContain(type);
    // The first events: the state read back, then what starts, then the handshake; ready after it.
    expect(events.slice(0, 2).map((event) => [event.type, event.kind ?? null])).toEqual([['cas/state', 'loaded'], ['cas/starting', null]]);
    expect(proxy.ofType('cas/ready')[0]).toMatchObject({ cwd: work, appServerPid: expect.any(Number), codexPath: resolveCodex().path, appServerUserAgent: expect.stringMatching(/^cas\/0\.169\.0/) });

    // Replies: kind response (result or error), the request's method, the orchestrator's id; the handshake's is internal.
    const replies = proxy.ofType('cas/fromServer').filter((event) => event.kind === 'response');
    expect(replies.find((event) => event.requestMethod === 'initialize')).toMatchObject({ id: 1, internal: true, clientRequestId: 'cas/initialize' });
    expect(started).toMatchObject({ kind: 'response', requestMethod: 'thread/start', clientRequestId: 'start', internal: false, threadId, turnId: null, itemId: null });
    expect(typeof started.id).toBe('number');
    expect(replies.find((event) => event.clientRequestId === 'missing')).toMatchObject({ kind: 'response', requestMethod: 'thread/read', msg: { error: { code: -32600 } } });
    expect(replies.find((event) => event.id === 'raw-1')).toMatchObject({ requestMethod: 'thread/loaded/list', internal: false });
    // Auto-assigned ids are numbers, one after another.
    const ids = proxy.ofType('cas/toServer').filter((event) => event.reason === 'clientRequest').map((event) => event.id);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
    // Notifications carry their routing keys.
    expect(events.find((event) => event.method === 'turn/started')).toMatchObject({ kind: 'notification', threadId, turnId: expect.any(String), id: null });

    // Why each message went to the server.
    const reasons = new Set(proxy.ofType('cas/toServer').map((event) => event.reason));
    for (const reason of ['handshake', 'clientRequest', 'clientRaw', 'clientResponse', 'serverRequestTimeout']) expect(reasons).toContain(reason);
    // A forward that times out: -32000 and the original's words upstream, the timeout on both events.
    const timeout = proxy.ofType('cas/serverRequestTimeout')[0]!;
    expect(timeout).toMatchObject({ method: 'item/tool/call', timeoutMs: 1500, threadId });
    expect(proxy.ofType('cas/serverRequest').map((event) => event.timeoutMs)).toEqual([1500, 1500]);
    const timedOut = answerTo(proxy, timeout.id)!;
    expect(timedOut).toMatchObject({ reason: 'serverRequestTimeout', msg: { error: { code: -32000, message: 'Timed out waiting for orchestrator response to item/tool/call' } } });
    expect(proxy.ofType('cas/error').find((event) => event.id === timeout.id)).toMatchObject({ message: 'Timed out waiting for orchestrator response', timeoutMs: 1500 });

    // state and stats as the original shaped them.
    expect(proxy.ofType('cas/state').find((event) => event.kind === 'get')).toMatchObject({ currentThreadId: threadId, state: { v: 1, currentThreadId: threadId } });
    expect(proxy.ofType('cas/stats')[0]).toMatchObject({
      kind: 'get',
      snapshot: { uptimeMs: expect.any(Number), events: expect.any(Number), queued: expect.any(Number), paused: false, pendingRequests: expect.any(Number), pendingServerRequests: 0, ready: true, cwd: work },
    });
    expect(proxy.ofType('cas/exiting')).toEqual([expect.objectContaining({ reason: 'client' })]);
    const exit = proxy.ofType('cas/appServerExit')[0]!;
    expect(exit).toMatchObject({ expected: true, code: 0, signal: null });
    expect(events.at(-1)).toBe(exit);
    // The server's stderr lines, when it wrote any, came as events.
    if (String(exit.detail).includes('stderr:')) expect(proxy.ofType('cas/appServerStderr').length).toBeGreaterThan(0);
  });

  it('keeps its state in $CODEX_HOME/cas/state/<hash of the cwd>.json and reads it back at the next start', async () => {
    const home = path.join(dir, 'state-home');
    await mkdir(home);
    const work = await workDir('state-work');
    const expected = path.join(home, 'cas', 'state', `${createHash('sha256').update(work).digest('hex').slice(0, 16)}.json`);

    const first = new ProxyDriver([], { env: { CODEX_HOME: home }, cwd: work });
    expect((await first.waitFor((event) => event.type === 'cas/ready')).stateFile).toBe(expected);
    first.send({ type: 'cas/request', clientRequestId: 't', method: 'thread/start', params: {} });
    const threadId = ((await first.reply('t')).msg!.result as { thread: { id: string } }).thread.id;
    expect(first.ofType('cas/state').find((event) => event.kind === 'updated')).toMatchObject({ currentThreadId: threadId });
    expect((await first.exit()).exitCode).toBe(0);
    expect(JSON.parse(await readFile(expected, 'utf8'))).toMatchObject({ v: 1, currentThreadId: threadId, cwd: work, pid: null });
    // The home the proxy ran on is the one it inherited: nothing else made, the state beside codex's own files.
    expect(await readdir(home)).toContain('cas');

    const second = new ProxyDriver([], { env: { CODEX_HOME: home }, cwd: work });
    expect((await second.waitFor((event) => event.type === 'cas/state')).currentThreadId).toBe(threadId);
    expect((await second.exit()).exitCode).toBe(0);

    // A state file the original cas left (`{v, currentThreadId}`) is read too; --state-file makes missing directories.
    const other = await workDir('state-other');
    const legacy = path.join(home, 'cas', 'state', `${createHash('sha256').update(other).digest('hex').slice(0, 16)}.json`);
    await writeFile(legacy, JSON.stringify({ v: 1, currentThreadId: 'thr-from-the-original' }));
    const third = new ProxyDriver(['--cwd', other], { env: { CODEX_HOME: home } });
    expect(await third.waitFor((event) => event.type === 'cas/state')).toMatchObject({ kind: 'loaded', stateFile: legacy, currentThreadId: 'thr-from-the-original' });
    expect((await third.exit()).exitCode).toBe(0);
    const nested = path.join(dir, 'no', 'such', 'dir', 'state.json');
    const fourth = new ProxyDriver(['--state-file', nested]);
    expect((await fourth.waitFor((event) => event.type === 'cas/ready')).stateFile).toBe(nested);
    expect((await fourth.exit()).exitCode).toBe(0);
    expect(JSON.parse(await readFile(nested, 'utf8'))).toMatchObject({ v: 1 });
  });

  it('takes the original\'s flags: --codex, --client-name/-title/-version, --heartbeat-ms; refuses an id in flight with its clientRequestId', async () => {
    const proxy = new ProxyDriver(['--codex', resolveCodex().path, '--client-name', 'orchestrator', '--client-title', 'My Orchestrator', '--client-version', '9.9.9', '--heartbeat-ms', '100']);
    const ready = await proxy.waitFor((event) => event.type === 'cas/ready');
    expect(ready.appServerUserAgent).toMatch(/\(orchestrator; 9\.9\.9\)$/);
    expect(proxy.ofType('cas/toServer')[0]!.msg).toMatchObject({ method: 'initialize', params: { clientInfo: { name: 'orchestrator', title: 'My Orchestrator', version: '9.9.9' } } });
    const beats = await proxy.waitFor((event) => event.type === 'cas/stats' && event.kind === 'heartbeat' && proxy.ofType('cas/stats').length >= 3);
    expect(beats.snapshot).toMatchObject({ uptimeMs: expect.any(Number), ready: true });

    // In one write: id 7 goes, the next auto id skips whatever is in flight, a second 7 is refused.
    proxy.send(
      { type: 'cas/request', clientRequestId: 'a', id: 7, method: 'thread/list', params: {} },
      { type: 'cas/request', clientRequestId: 'b', method: 'thread/list', params: {} },
      { type: 'cas/request', clientRequestId: 'c', id: 7, method: 'thread/list', params: {} },
    );
    const refused = await proxy.waitFor((event) => event.type === 'cas/error' && event.clientRequestId === 'c');
    expect(refused).toMatchObject({ id: 7, method: 'thread/list', message: expect.stringMatching(/already in flight/) });
    expect((await proxy.reply('a')).id).toBe(7);
    expect((await proxy.reply('b')).id).not.toBe(7);
    expect(proxy.ofType('cas/fromServer').filter((event) => event.clientRequestId === 'c')).toEqual([]);
    expect((await proxy.exit()).exitCode).toBe(0);
  });

  it.each([
    ['--skill-approval approve answers a skill script\'s approval; the rest stay declined', ['--exec-approval', 'decline', '--skill-approval', 'approve'], true, { decision: 'accept', skill: true }],
    ['--skill-approval decline refuses it even when commands are accepted', ['--exec-approval', 'auto', '--skill-approval', 'decline'], false, { decision: 'cancel', fellBackFrom: 'decline', skill: true }],
  ])('%s', async (_name, flags, runs, policy) => {
    const work = await workDir(`skill-${String(runs)}`);
    const codex = resolveCodex();
    const proxy = new ProxyDriver(['--codex-bin', fixture('skill-approvals.mjs'), '--mock-model', '--mock-script', execScript, ...flags], { env: { CAS_FIXTURE_CODEX: codex.path } });
    await proxy.waitFor((event) => event.type === 'cas/ready');
    await turn(proxy, 'skill', { approvalPolicy: 'untrusted', cwd: work });
    const asked = proxy.ofType('cas/fromServer').find((event) => event.method === APPROVAL)!;
    expect(asked.msg!.params).toMatchObject({ skillMetadata: { pathToSkillsMd: expect.stringMatching(/SKILL\.md$/) } });
    const answer = answerTo(proxy, asked.id)!;
    expect(answer).toMatchObject({ reason: 'autoApproval', method: APPROVAL, policy });
    expect((await proxy.exit()).exitCode).toBe(0);
    // The real server acted on the answer.
    expect((await readdir(work)).includes('marker.txt')).toBe(runs);
  });

  it('--exec-approval auto accepts with the amendment the real server proposes, within what it offers', async () => {
    const work = await workDir('auto');
    const proxy = new ProxyDriver(['--mock-model', '--mock-script', execScript, '--exec-approval', 'auto']);
    await proxy.waitFor((event) => event.type === 'cas/ready');
    await turn(proxy, 'auto', { approvalPolicy: 'untrusted', cwd: work });
    const asked = proxy.ofType('cas/fromServer').find((event) => event.method === APPROVAL)!;
    const offered = (asked.msg!.params as { availableDecisions: unknown[] }).availableDecisions;
    const answer = answerTo(proxy, asked.id)!;
    const decision = (answer.msg!.result as { decision: unknown }).decision;
    expect(decision).toEqual({ acceptWithExecpolicyAmendment: { execpolicy_amendment: expect.any(Array) } });
    expect(offered.some((entry: unknown) => typeof entry === 'object' && entry !== null && 'acceptWithExecpolicyAmendment' in entry)).toBe(true);
    expect(answer.policy).toEqual({ decision: 'acceptWithExecpolicyAmendment' });
    expect((await proxy.exit()).exitCode).toBe(0);
    expect(await readdir(work)).toContain('marker.txt');
  });
});

