import { once } from 'node:events';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, resolveCodex, type AppServerConnection, type Notification, type ServerRequest } from '../../src/index.js';
import { MAX_BODY_BYTES, startMockModel, type MockModel } from '../../src/mock-model/mock-model-server.js';
import type { MockScriptInput } from '../../src/mock-model/mock-script.js';
import { mockProviderConfig } from '../../src/mock-model/provider-config.js';
import { CAS_BIN, cas, ROOT } from '../helpers/cas-cli.js';

let dir: string;
const codex = resolveCodex();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mock-model-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** One parsed Server-Sent Event. */
interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))!.slice('event: '.length);
      const data = JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice('data: '.length)) as Record<string, unknown>;
      return { event, data };
    });
}

const userMessage = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] };
const toolOutput = { type: 'function_call_output', call_id: 'call_1', output: 'hi' };

async function postResponses(mock: MockModel, body: string): Promise<Response> {
  return fetch(`${mock.url}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

describe('mock model over HTTP', () => {
  it('answers a user turn with the scripted events in order, and a tool result with afterToolText', async () => {
    const mock = await startMockModel({ script: { steps: [{ text: 'scripted', usage: { inputTokens: 30, outputTokens: 4 } }], afterToolText: 'all done' } });
    try {
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}/v1`);
      const reply = await postResponses(mock, JSON.stringify({ model: 'mock-model', input: [userMessage] }));
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/event-stream');
      const events = parseSse(await reply.text());
      expect(events.map((e) => e.event)).toEqual(['response.created', 'response.output_item.done', 'response.completed']);
      expect(events.every((e) => e.data.type === e.event)).toBe(true);
      const responseId = (events[0]!.data.response as { id: string }).id;
      expect(events[1]!.data.item).toEqual({ type: 'message', role: 'assistant', id: expect.any(String), content: [{ type: 'output_text', text: 'scripted' }] });
      expect(events[2]!.data.response).toEqual({
        id: responseId,
        usage: { input_tokens: 30, input_tokens_details: null, output_tokens: 4, output_tokens_details: null, total_tokens: 34 },
      });

      const followUp = parseSse(await (await postResponses(mock, JSON.stringify({ input: [userMessage, toolOutput] }))).text());
      expect(followUp[1]!.data.item).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'all done' }] });
      expect(mock.stats).toEqual({ requests: 2, toolFollowUps: 1, byKind: { message: 2, functionCall: 0 }, rejected: 0 });
    } finally {
      await mock.close();
    }
  });

  it('sends a function_call item with JSON-text arguments and a fresh call_id per reply', async () => {
    const mock = await startMockModel({ script: { steps: [{ functionCall: { name: 'exec_command', arguments: { cmd: 'ls' } } }] } });
    try {
      const items = [];
      for (let i = 0; i < 2; i++) {
        const events = parseSse(await (await postResponses(mock, JSON.stringify({ input: [userMessage] }))).text());
        items.push(events[1]!.data.item as Record<string, unknown>);
      }
      expect(items[0]).toEqual({ type: 'function_call', call_id: expect.any(String), name: 'exec_command', arguments: '{"cmd":"ls"}' });
      expect(items[0]!.call_id).not.toBe(items[1]!.call_id);
      expect(mock.stats.byKind).toEqual({ message: 0, functionCall: 2 });
    } finally {
      await mock.close();
    }
  });

  it('refuses other routes with 404 and a body that is not JSON with 400, as JSON errors', async () => {
    const mock = await startMockModel({ script: {} });
    try {
      const root = await fetch(`http://127.0.0.1:${mock.port}/`);
      expect(root.status).toBe(404);
      expect(await root.json()).toMatchObject({ error: { message: expect.stringContaining('POST /v1/responses') } });
      expect((await fetch(`${mock.url}/responses`)).status).toBe(404);
      const bad = await postResponses(mock, '{"input": [');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { message: 'the request body is not JSON' } });
      // A body past the limit is refused without being held whole.
      const huge = await postResponses(mock, `{"input":"${'x'.repeat(MAX_BODY_BYTES + 1024)}"}`);
      expect(huge.status).toBe(413);
      expect(mock.stats).toMatchObject({ requests: 0, rejected: 4 });
    } finally {
      await mock.close();
    }
  });

  it('applies the delay before replying', async () => {
    const mock = await startMockModel({ script: { delayMs: 150 } });
    try {
      const started = performance.now();
      await (await postResponses(mock, '{"input":[]}')).text();
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await mock.close();
    }
  });

  it('closes promptly with a keep-alive connection open and a reply still delayed', async () => {
    const mock = await startMockModel({ script: { steps: [{ text: 'fast' }, { text: 'slow', delayMs: 60_000 }] } });
    const agent = new http.Agent({ keepAlive: true });
    const post = () =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const request = http.request(`${mock.url}/responses`, { method: 'POST', agent }, resolve);
        request.on('error', reject);
        request.end('{"input":[]}');
      });
    try {
      const first = await post();
      first.resume();
      await once(first, 'end');
      const pending = post().catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The delayed reply would hold a plain server.close() for a minute (past the test's timeout):
      // close() cuts it, so the request fails instead of getting its reply late.
      await mock.close();
      expect(await pending).toBeInstanceOf(Error);
      await expect(fetch(mock.url)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });

  it('refuses a host that is not loopback', async () => {
    await expect(startMockModel({ host: '0.0.0.0', script: {} })).rejects.toThrow(/not a loopback address/);
  });
});

/** An app-server on a fresh home whose config.toml points at `mock`, run from a scratch directory. */
async function openWithMock(name: string, mock: MockModel, template?: string): Promise<{ connection: AppServerConnection; workDir: string }> {
  const home = path.join(dir, name, 'home');
  const workDir = path.join(dir, name, 'work');
  await Promise.all([mkdir(home, { recursive: true }), mkdir(workDir, { recursive: true })]);
  await writeFile(path.join(home, 'config.toml'), mockProviderConfig(mock.url, template));
  const connection = await connect({
    command: codex.command,
    args: [...codex.prefixArgs, 'app-server'],
    env: { ...codex.env, CODEX_HOME: home },
    // thread/start {} takes the server's cwd: keep turns out of the repository.
    cwd: workDir,
    requestTimeoutMs: 15_000,
  });
  return { connection, workDir };
}

interface TurnCompleted {
  threadId: string;
  turn: { id: string; status: string; error: unknown; items: Array<Record<string, unknown>> };
}

/** Runs one turn and resolves with every notification up to its `turn/completed`. */
async function runTurn(connection: AppServerConnection, threadId: string, text: string): Promise<{ completed: TurnCompleted; seen: Notification[] }> {
  const seen: Notification[] = [];
  let turnId: string | undefined;
  let onNotification: (n: Notification) => void = () => {};
  const done = new Promise<TurnCompleted>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no turn/completed within 10 s; saw ${seen.map((n) => n.method).join(', ')}`)), 10_000);
    onNotification = (n) => {
      seen.push(n);
      const params = n.params as TurnCompleted;
      if (n.method === 'turn/completed' && params.threadId === threadId && (turnId === undefined || params.turn.id === turnId)) {
        clearTimeout(timer);
        resolve(params);
      }
    };
  });
  // Listening before turn/start: a fast turn may complete before its reply is read.
  connection.on('notification', onNotification);
  try {
    const started = (await connection.request('turn/start', { threadId, input: [{ type: 'text', text }] })) as { turn: { id: string } };
    turnId = started.turn.id;
    const completed = await done;
    expect(completed.turn.id).toBe(turnId);
    return { completed, seen };
  } finally {
    connection.off('notification', onNotification);
  }
}

function completedItems(seen: Notification[], type: string): Array<Record<string, unknown>> {
  return seen
    .filter((n) => n.method === 'item/completed')
    .map((n) => (n.params as { item: Record<string, unknown> }).item)
    .filter((item) => item.type === type);
}

describe('mock model driving the real app-server', () => {
  it('runs a full turn offline: the scripted answer comes back and the thread persists', async () => {
    const mock = await startMockModel({ script: { steps: [{ text: 'hello from the mock' }] } });
    const { connection } = await openWithMock('turn', mock);
    try {
      const { thread } = (await connection.request('thread/start', {})) as { thread: { id: string } };
      expect(await connection.request('thread/list', {})).toMatchObject({ data: [] });

      const { completed, seen } = await runTurn(connection, thread.id, 'hi');

      expect(completed.turn.status).toBe('completed');
      expect(completed.turn.error).toBeNull();
      expect(completedItems(seen, 'agentMessage').map((item) => item.text)).toEqual(['hello from the mock']);
      const methods = new Set(seen.map((n) => n.method));
      for (const method of ['turn/started', 'item/started', 'item/completed', 'thread/tokenUsage/updated', 'turn/completed']) expect(methods).toContain(method);
      // One model request per plain turn: no warm-up, title or compaction requests.
      expect(mock.stats).toEqual({ requests: 1, toolFollowUps: 0, byKind: { message: 1, functionCall: 0 }, rejected: 0 });

      const read = (await connection.request('thread/read', { threadId: thread.id, includeTurns: true })) as {
        thread: { modelProvider: string; turns: Array<{ items: Array<Record<string, unknown>> }> };
      };
      expect(read.thread.modelProvider).toBe('mock');
      expect(read.thread.turns[0]!.items.map((item) => item.type)).toEqual(['userMessage', 'agentMessage']);
      const list = (await connection.request('thread/list', {})) as { data: Array<{ id: string }> };
      expect(list.data.map((t) => t.id)).toEqual([thread.id]);
    } finally {
      await connection.close();
      await mock.close();
    }
  });

  it('an escalated exec_command asks for approval; refused, the command never runs and the turn ends', async () => {
    const mock = await startMockModel({
      script: {
        steps: [{ functionCall: { name: 'exec_command', arguments: { cmd: 'echo hi > marker.txt', sandbox_permissions: 'require_escalated', justification: 'test' } } }],
        afterToolText: 'could not run it',
      } satisfies MockScriptInput,
    });
    const { connection, workDir } = await openWithMock('approval', mock);
    const serverRequests: ServerRequest[] = [];
    connection.on('serverRequest', (request) => serverRequests.push(request));
    try {
      const { thread } = (await connection.request('thread/start', { approvalPolicy: 'untrusted', cwd: workDir })) as { thread: { id: string } };
      const { completed, seen } = await runTurn(connection, thread.id, 'make a marker');

      const approvals = serverRequests.filter((request) => request.method === 'item/commandExecution/requestApproval');
      expect(approvals).toHaveLength(1);
      const approval = approvals[0]!.params as { threadId: string; turnId: string; command: string; availableDecisions: unknown[] };
      expect(approval.threadId).toBe(thread.id);
      expect(approval.turnId).toBe(completed.turn.id);
      expect(approval.command).toContain('echo hi > marker.txt');
      expect(approval.availableDecisions).toEqual(expect.arrayContaining(['accept', 'cancel']));

      // cas answered -32601: codex treats that as a refusal, tells the model, and the model finishes the turn.
      expect(completed.turn.status).toBe('completed');
      expect(completedItems(seen, 'commandExecution').map((item) => item.status)).toEqual(['failed']);
      expect(completedItems(seen, 'agentMessage').map((item) => item.text)).toEqual(['could not run it']);
      expect(seen.some((n) => n.method === 'serverRequest/resolved')).toBe(true);
      expect(mock.stats).toEqual({ requests: 2, toolFollowUps: 1, byKind: { message: 1, functionCall: 1 }, rejected: 0 });
      await expect(access(path.join(workDir, 'marker.txt'))).rejects.toThrow(/ENOENT/);
    } finally {
      await connection.close();
      await mock.close();
    }
  });

  it('a template merged into the config is still valid TOML to codex, and the mock wins', async () => {
    const mock = await startMockModel({ script: {} });
    const template = 'model = "gpt-5"\napproval_policy = "never"\n\n[features]\nweb_search_request = false\n';
    const { connection } = await openWithMock('template', mock, template);
    try {
      const { config } = (await connection.request('config/read', {})) as { config: Record<string, unknown> };
      expect(config).toMatchObject({ model: 'mock-model', model_provider: 'mock', approval_policy: 'never' });
    } finally {
      await connection.close();
      await mock.close();
    }
  });
});

describe('cas mock-model', () => {
  it('prints one JSON line with the URL, serves it, and exits 0 on SIGTERM with a summary', async () => {
    const child = execa(process.execPath, [CAS_BIN, 'mock-model', '--port', '0', '--text', 'from the cli'], { cwd: ROOT, reject: false, buffer: true });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
        });
        child.once('exit', () => reject(new Error('cas mock-model exited before printing its URL')));
      });
      const { url, port } = JSON.parse(line) as { url: string; port: number };
      expect(url).toBe(`http://127.0.0.1:${port}/v1`);
      const reply = await fetch(`${url}/responses`, { method: 'POST', body: '{"input":[]}' });
      expect(await reply.text()).toContain('"text":"from the cli"');
      child.kill('SIGTERM');
      const result = await child;
      expect(result.exitCode).toBe(0);
      expect(String(result.stdout).trim().split('\n')).toEqual([line]);
      expect(String(result.stderr).trim()).toBe('cas mock-model: served 1 request (1 message, 0 function calls, 0 tool follow-ups), refused 0');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it.each([
    ['a negative port', ['--port', '-1'], /^cas: --port must not be negative/],
    ['a missing script', ['--script', '/missing.json'], /^cas: --script \/missing\.json: no such file/],
    ['a host that is not loopback', ['--host', '0.0.0.0'], /^cas: --host must be a loopback address/],
  ])('%s is a usage error: exit 2 with one line', async (_name, args, message) => {
    const { exitCode, stdout, stderr } = await cas(['mock-model', ...args]);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('an invalid script file is a usage error naming the file and the problem', async () => {
    const file = path.join(dir, 'bad-script.json');
    await writeFile(file, JSON.stringify({ steps: [{ functionCall: { name: 'f' } }] }));
    const { exitCode, stderr } = await cas(['mock-model', '--script', file]);
    expect(exitCode).toBe(2);
    expect(stderr).toBe(`cas: --script ${file}: steps.0: must be {"text": string} or {"functionCall": {"name": string, "arguments": object | string}}`);
  });
});
