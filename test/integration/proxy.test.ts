import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCodex } from '../../src/codex/resolve-codex.js';
import { ProxyDriver, type ProxyEventLine } from '../helpers/proxy-driver.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-proxy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const isMessageEvent = (event: ProxyEventLine) => event.type === 'cas/fromServer' || event.type === 'cas/toServer';
/** The `msg` of an event exactly as it stands in the line. */
const rawMsg = (event: ProxyEventLine) => event.raw.slice(event.raw.indexOf(',"msg":') + ',"msg":'.length, -1);

const DYNAMIC_TOOL = { type: 'function', name: 'lookup', description: 'Look a thing up', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } };

async function toolScript(): Promise<string> {
  const file = path.join(dir, 'tool-script.json');
  await writeFile(file, JSON.stringify({ steps: [{ functionCall: { name: 'lookup', arguments: { q: 'answer' } } }], afterToolText: 'got it' }));
  return file;
}

/** Starts a thread with the dynamic tool and a turn whose model calls it. */
async function startToolTurn(proxy: ProxyDriver): Promise<string> {
  await proxy.waitFor((event) => event.type === 'cas/ready');
  proxy.send({ type: 'cas/request', clientRequestId: 'thread', method: 'thread/start', params: { dynamicTools: [DYNAMIC_TOOL] } });
  const thread = (await proxy.reply('thread')).msg!.result as { thread: { id: string } };
  proxy.send({ type: 'cas/request', clientRequestId: 'turn', method: 'turn/start', params: { threadId: thread.thread.id, input: [{ type: 'text', text: 'use the tool' }] } });
  return thread.thread.id;
}

describe('cas proxy against the real app-server', () => {
  it('wraps every message in an event with seq, ts, sessionId, routing keys and the message byte for byte', async () => {
    // A codex wrapper that also copies what the server writes, to compare with `msg`.
    const tap = path.join(dir, 'server-stdout.jsonl');
    const wrapper = path.join(dir, 'tee-codex.sh');
    const codex = resolveCodex();
    await writeFile(wrapper, `#!/bin/sh\n"${codex.command}" "$@" | tee "${tap}"\n`);
    await chmod(wrapper, 0o755);
    const stateFile = path.join(dir, 'proxy-state.json');
    const proxy = new ProxyDriver(['--codex-bin', wrapper, '--state-file', stateFile]);
    await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.send(
      { type: 'cas/request', clientRequestId: 'list', method: 'thread/list', params: { limit: 1 } },
      'this is not json',
      { type: 'cas/unknown' },
      { type: 'cas/request', params: {} },
      { type: 'cas/request', clientRequestId: 'start', method: 'thread/start', params: {} },
      { type: 'cas/send', msg: { id: 'raw-1', method: 'thread/loaded/list', params: {} } },
    );
    const started = await proxy.reply('start');
    await proxy.waitFor((event) => event.type === 'cas/fromServer' && event.msg?.id === 'raw-1');
    proxy.send({ type: 'cas/state/get' }, { type: 'cas/stats/get' });
    const state = await proxy.waitFor((event) => event.type === 'cas/state' && event.kind === 'get');
    const stats = await proxy.waitFor((event) => event.type === 'cas/stats');
    const { exitCode } = await proxy.exit();
    expect(exitCode).toBe(0);

    const { events } = proxy;
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(events.map((event) => event.sessionId)).size).toBe(1);
    expect(events.every((event, index) => index === 0 || event.ts >= events[index - 1]!.ts)).toBe(true);
    expect(events.filter(isMessageEvent).every((event) => event.msg !== undefined)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'cas/appServerExit', expected: true, code: 0 });

    // msg is exactly what the server wrote, in order.
    const written = (await readFile(tap, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    expect(events.filter((event) => event.type === 'cas/fromServer').map(rawMsg)).toEqual(written);

    // Routing: the reply to thread/start and the thread/started notification carry the thread id.
    const threadId = (started.msg!.result as { thread: { id: string } }).thread.id;
    expect(started.threadId).toBe(threadId);
    expect(events.find((event) => event.msg?.method === 'thread/started')?.threadId).toBe(threadId);
    expect(events.find((event) => event.type === 'cas/toServer' && event.clientRequestId === 'list')?.msg).toMatchObject({ method: 'thread/list' });

    // Bad lines are reported by number, and the proxy went on.
    const errors = events.filter((event) => event.type === 'cas/error').map((event) => [event.line, event.message]);
    expect(errors).toEqual([
      [2, 'line 2: not valid JSON'],
      [3, 'line 3: not a known envelope (type "cas/unknown")'],
      [4, expect.stringMatching(/^line 4: bad cas\/request: method/)],
    ]);
    expect(state).toMatchObject({ kind: 'get', currentThreadId: threadId, state: { currentThreadId: threadId, codexHome: expect.any(String), pendingServerRequests: [] } });
    expect(stats).toMatchObject({ kind: 'get', snapshot: { stats: { clientParseErrors: 3 }, pendingRequests: 0, pendingClientRequests: 0 } });
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toMatchObject({ v: 1, currentThreadId: threadId, threads: [threadId] });
  });

  it('forwards a dynamic tool call (by default, as the original cas) and passes the orchestrator\'s answer on', async () => {
    const proxy = new ProxyDriver(['--mock-model', '--mock-script', await toolScript()]);
    const threadId = await startToolTurn(proxy);
    const forwarded = await proxy.waitFor((event) => event.type === 'cas/serverRequest');
    expect(forwarded).toMatchObject({ method: 'item/tool/call', threadId, msg: { method: 'item/tool/call', params: { tool: 'lookup', arguments: { q: 'answer' } } } });
    proxy.send({ type: 'cas/respond', id: forwarded.id, result: { contentItems: [{ type: 'inputText', text: 'forty-two' }], success: true } });
    const completed = await proxy.waitFor((event) => event.msg?.method === 'turn/completed');
    expect(completed.msg!.params).toMatchObject({ turn: { status: 'completed' } });
    const answer = await proxy.waitFor((event) => event.type === 'cas/toServer' && event.kind === 'response' && event.msg?.id === forwarded.id);
    expect(answer).toMatchObject({ kind: 'response', reason: 'clientResponse', method: 'item/tool/call', threadId });
    expect(answer.msg).toEqual({ id: forwarded.id, result: { contentItems: [{ type: 'inputText', text: 'forty-two' }], success: true } });
    // The server recorded the tool's output as given.
    expect(proxy.events.some((event) => event.msg?.method === 'item/completed' && event.raw.includes('forty-two'))).toBe(true);
    expect((await proxy.exit()).exitCode).toBe(0);
  });

  it('fails a forwarded request that gets no answer in time, deterministically', async () => {
    const proxy = new ProxyDriver(['--mock-model', '--mock-script', await toolScript(), '--dynamic-tool-response', 'forward', '--server-request-timeout-ms', '300']);
    await startToolTurn(proxy);
    const forwarded = await proxy.waitFor((event) => event.type === 'cas/serverRequest');
    const timeout = await proxy.waitFor((event) => event.type === 'cas/serverRequestTimeout');
    expect(timeout).toMatchObject({ id: forwarded.id, method: 'item/tool/call', timeoutMs: 300 });
    const answer = await proxy.waitFor((event) => event.type === 'cas/toServer' && event.kind === 'response' && event.msg?.id === forwarded.id);
    expect(answer).toMatchObject({ reason: 'serverRequestTimeout', method: 'item/tool/call' });
    expect(answer.msg).toEqual({ id: forwarded.id, error: { code: -32000, message: 'Timed out waiting for orchestrator response to item/tool/call' } });
    // The turn does not hang on it, and a late answer is refused.
    await proxy.waitFor((event) => event.msg?.method === 'turn/completed');
    proxy.send({ type: 'cas/respond', id: forwarded.id, result: { contentItems: [], success: true } });
    await proxy.waitFor((event) => event.type === 'cas/error' && event.message === 'cas/respond id does not match a pending server request');
    expect((await proxy.exit()).exitCode).toBe(0);
  });

  it('refuses a malformed answer to a typed request with an error upstream', async () => {
    const proxy = new ProxyDriver(['--mock-model', '--mock-script', await toolScript(), '--dynamic-tool-response', 'forward']);
    await startToolTurn(proxy);
    const forwarded = await proxy.waitFor((event) => event.type === 'cas/serverRequest');
    proxy.send({ type: 'cas/respond', id: forwarded.id, result: { text: 'not a tool result' } });
    const refused = await proxy.waitFor((event) => event.type === 'cas/error');
    expect(refused).toMatchObject({ message: 'Invalid cas/respond payload for server request', method: 'item/tool/call', validationError: expect.stringMatching(/^contentItems/) });
    const answer = await proxy.waitFor((event) => event.type === 'cas/toServer' && event.kind === 'response' && event.msg?.id === forwarded.id);
    expect(answer).toMatchObject({ reason: 'clientResponseValidationError' });
    expect(answer.msg).toMatchObject({ error: { code: -32602 } });
    await proxy.waitFor((event) => event.msg?.method === 'turn/completed');
    expect((await proxy.exit()).exitCode).toBe(0);
  });

  it('pauses reading when the orchestrator falls behind, then resumes, losing nothing', async () => {
    const proxy = new ProxyDriver(['--max-out-queue', '8']);
    await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.process.stdout!.pause();
    // Fewer than the server's queue of 128 (it would drop replies), but large ones (~33 KB each), to fill the pipe.
    const requests = 60;
    for (let i = 0; i < requests; i++) proxy.send({ type: 'cas/request', clientRequestId: `r${i}`, method: 'experimentalFeature/list', params: {} });
    // Let the proxy fill the pipe while nobody reads.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    proxy.process.stdout!.resume();
    await proxy.waitFor((event) => event.type === 'cas/fromServer' && event.clientRequestId === `r${requests - 1}`, 30_000);
    const { events } = proxy;
    const paused = events.findIndex((event) => event.type === 'cas/ioPaused');
    const resumed = events.findIndex((event) => event.type === 'cas/ioResumed');
    expect(paused).toBeGreaterThan(0);
    expect(resumed).toBeGreaterThan(paused);
    const replies = events.filter((event) => event.type === 'cas/fromServer' && event.internal === false && typeof event.clientRequestId === 'string');
    expect(new Set(replies.map((event) => event.clientRequestId)).size).toBe(requests);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect((await proxy.exit()).exitCode).toBe(0);
  });
});
