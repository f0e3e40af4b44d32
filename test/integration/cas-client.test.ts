import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppServerError } from '../../src/client/app-server-error.js';
import { CasClient } from '../../src/client/cas-client.js';
import type { Notification, ServerRequest } from '../../src/protocol/messages.js';
import { NOTIFICATION_PARAMS, type NotificationMethod } from '../../src/protocol/notifications.js';
import { startMockModel, type MockModel } from '../../src/mock-model/mock-model-server.js';
import type { MockScriptInput } from '../../src/mock-model/mock-script.js';
import { mockProviderConfig } from '../../src/mock-model/provider-config.js';
import { isAlive } from '../helpers/cas-cli.js';

const MOCK_TEXT = 'Hello from the cas-client test';
const text = (value: string) => [{ type: 'text', text: value }];

let dir: string;
const mocks: MockModel[] = [];
const clients: CasClient[] = [];
/** Notifications of a typed method whose params did not parse: the real server must send none. */
const malformed: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-client-'));
});
afterEach(() => {
  expect(malformed.splice(0)).toEqual([]);
});
afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await Promise.allSettled(mocks.map((mock) => mock.close()));
  await rm(dir, { recursive: true, force: true });
});

/** A client on a fresh home (a temp dir it owns, or `codexHome`) whose model is a mock with `script`. */
async function startClient(script: MockScriptInput, options: Parameters<typeof CasClient.start>[0] = {}): Promise<CasClient> {
  const mock = await startMockModel({ script });
  mocks.push(mock);
  const client = await CasClient.start({ configToml: mockProviderConfig(mock.url), requestTimeoutMs: 20_000, turnTimeoutMs: 30_000, ...options });
  clients.push(client);
  // Every typed method is parsed, so each test also checks what the real server sent against our schemas.
  for (const method of Object.keys(NOTIFICATION_PARAMS) as NotificationMethod[]) client.on(method, () => undefined);
  client.onMalformedNotification((notification, error) => malformed.push(error.message));
  return client;
}

/** The text of the agent messages among a turn's items. */
function agentTexts(items: unknown): string[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: { type?: unknown; text?: unknown }) => (item.type === 'agentMessage' && typeof item.text === 'string' ? [item.text] : []));
}

describe('CasClient against the real app-server and the loopback model', () => {
  let client: CasClient;
  beforeAll(async () => {
    client = await startClient({ text: MOCK_TEXT });
  });

  it('starts on a fresh temp home it owns and reports the handshake', () => {
    expect(client.userAgent).toMatch(/^cas\//);
    expect(client.codexHome).toBeDefined();
    expect(client.initializeResult?.codexHome).toBe(client.codexHome);
    expect(existsSync(path.join(client.codexHome!, 'config.toml'))).toBe(true);
  });

  it('runs a turn to completion with wait, and on()/onThread() see its notifications', async () => {
    const { thread } = await client.threadStart({});
    const other = await client.threadStart({});
    const completedSeen: Notification[] = [];
    const threadSeen: string[] = [];
    const offCompleted = client.on('turn/completed', (n) => completedSeen.push(n));
    const offThread = client.onThread(thread.id, (n) => threadSeen.push(n.method));
    const otherSeen: string[] = [];
    const offOther = client.onThread(other.thread.id, (n) => otherSeen.push(n.method));
    try {
      const completed = await client.turnStart({ threadId: thread.id, input: text('Say hello.') }, { wait: true });
      expect(completed.threadId).toBe(thread.id);
      expect(completed.turn.status).toBe('completed');
      expect(agentTexts(completed.turn.items)).toEqual([MOCK_TEXT]);
      expect(completedSeen.map((n) => (n.params as { turn: { id: string } }).turn.id)).toEqual([completed.turn.id]);
      expect(threadSeen).toContain('turn/started');
      expect(threadSeen.indexOf('turn/started')).toBeLessThan(threadSeen.indexOf('turn/completed'));
      expect(threadSeen.at(-1)).toBe('turn/completed');
      // Nothing ran on the other thread, so its subscriber saw nothing of this turn.
      expect(otherSeen.filter((method) => method.startsWith('turn/') || method.startsWith('item/'))).toEqual([]);
    } finally {
      offCompleted();
      offThread();
      offOther();
    }
    // Unsubscribed: a second turn is not seen.
    await client.turnStart({ threadId: thread.id, input: text('Again.') }, { wait: true });
    expect(completedSeen).toHaveLength(1);
  });

  it('turnStart without wait answers with the turn in progress', async () => {
    const { thread } = await client.threadStart({});
    const done = new Promise<Notification>((resolve) => {
      const off = client.on('turn/completed', (n) => {
        off();
        resolve(n);
      });
    });
    const { turn } = await client.turnStart({ threadId: thread.id, input: text('Hi.') });
    expect(turn.status).toBe('inProgress');
    expect(((await done).params as { turn: { id: string } }).turn.id).toBe(turn.id);
  });

  it('notifications() yields a turn in order and ends on abort', async () => {
    const { thread } = await client.threadStart({});
    const controller = new AbortController();
    const stream = client.notifications({ threadId: thread.id, signal: controller.signal });
    const methods: string[] = [];
    const reading = (async () => {
      for await (const notification of stream) {
        methods.push(notification.method);
        if (notification.method === 'turn/completed') controller.abort();
      }
    })();
    await client.turnStart({ threadId: thread.id, input: text('Stream me.') }, { wait: true });
    await reading;
    expect(methods.at(-1)).toBe('turn/completed');
    const started = methods.indexOf('turn/started');
    const item = methods.indexOf('item/completed');
    expect(started).toBeGreaterThanOrEqual(0);
    expect(item).toBeGreaterThan(started);
    expect(stream.stats.dropped).toBe(0);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('notifications() by method only yields that method', async () => {
    const { thread } = await client.threadStart({});
    const stream = client.notifications({ method: 'turn/completed' });
    await client.turnStart({ threadId: thread.id, input: text('One.') }, { wait: true });
    const first = await stream.next();
    await stream.return();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ method: 'turn/completed', params: { threadId: thread.id } });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('resumes a thread that has had a turn; one without a turn is refused by the server', async () => {
    const { thread } = await client.threadStart({});
    const fresh = await client.resumeThread({ threadId: thread.id }).catch((error: unknown) => error);
    expect(fresh).toBeInstanceOf(AppServerError);
    expect(fresh).toMatchObject({ kind: 'rpc', code: -32600, message: expect.stringMatching(/no rollout found/) });
    await client.turnStart({ threadId: thread.id, input: text('Persist me.') }, { wait: true });
    const resumed = await client.resumeThread({ threadId: thread.id, excludeTurns: true });
    expect(resumed.thread.id).toBe(thread.id);
  });

  it('lists experimental features', async () => {
    const { data } = await client.listExperimentalFeatures({});
    expect(data.length).toBeGreaterThan(0);
    expect(data[0]).toMatchObject({ name: expect.any(String), stage: expect.any(String), enabled: expect.any(Boolean) });
  });

  it('types notifications, turn items and results by method', async () => {
    const { thread } = await client.threadStart({});
    const completed: string[] = [];
    const off = client.on('item/completed', ({ params: { item } }) => completed.push(item.type === 'agentMessage' ? `agentMessage: ${item.text}` : item.type));
    const stream = client.notifications({ method: 'turn/completed', threadId: thread.id });
    const done = await client.turnStart({ threadId: thread.id, input: text('Typed.') }, { wait: true });
    off();
    const streamed = await stream.next();
    await stream.return();
    expect(streamed.value?.params.turn.id).toBe(done.turn.id);
    expect(completed).toEqual(['userMessage', `agentMessage: ${MOCK_TEXT}`]);
    // codex 0.169.0's turn/completed carries the turn's new items, not the user's message.
    expect(done.turn.items.map((item) => (item.type === 'agentMessage' ? item.text : item.type))).toEqual([MOCK_TEXT]);
    const page = await client.request('thread/list', { limit: 100 });
    expect(page.data.find((listed) => listed.id === thread.id)).toMatchObject({ preview: 'Typed.', status: { type: expect.any(String) } });
    const models = await client.request('model/list');
    expect(models.data.filter((model) => model.isDefault)).toHaveLength(1);
    const loaded = await client.request('thread/loaded/list');
    expect(loaded.data).toContain(thread.id);
    const turns = await client.request('thread/turns/list', { threadId: thread.id, itemsView: 'full' });
    expect(turns.data.map((turn) => turn.id)).toEqual([done.turn.id]);
    const [asked, answered] = turns.data[0]?.items ?? [];
    expect(asked?.type === 'userMessage' ? asked.content : undefined).toEqual([expect.objectContaining({ type: 'text', text: 'Typed.' })]);
    expect(answered?.type === 'agentMessage' ? answered.text : undefined).toBe(MOCK_TEXT);
  });

  it('request() with a schema types the result, and refuses an unexpected one', async () => {
    const page = await client.request('thread/list', { limit: 1 }, { schema: z.object({ data: z.array(z.unknown()) }) });
    expect(Array.isArray(page.data)).toBe(true);
    const error = await client.request('thread/list', { limit: 1 }, { schema: z.object({ missing: z.string() }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppServerError);
    expect(error).toMatchObject({ code: 'unexpected-reply', message: expect.stringMatching(/thread\/list returned an unexpected result: result\.missing/) });
  });
});

describe('CasClient turn control: steer and interrupt running turns', () => {
  let client: CasClient;
  beforeAll(async () => {
    // Every reply is slow, so a turn is still running when it is steered or interrupted.
    client = await startClient({ text: 'slow reply', delayMs: 1500 });
  });

  it('steers a running turn: the steered input joins it and it completes', async () => {
    const { thread } = await client.threadStart({});
    const tracked = await client.startTurn({ threadId: thread.id, input: text('Start.') });
    await tracked.started;
    const wrong = await client.steerTurn({ threadId: thread.id, expectedTurnId: 'not-the-turn', input: text('x') }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ kind: 'rpc', code: -32600, message: expect.stringMatching(/expected active turn id/) });
    const steered = await client.steerTurn({ threadId: thread.id, expectedTurnId: tracked.turn.id, input: text('Steered input.') });
    expect(steered.turnId).toBe(tracked.turn.id);
    const completed = await tracked.completed;
    expect(completed.turn.status).toBe('completed');
    // thread/read is typed by method: turns, their items by kind, a user message's content by kind.
    const read = await client.request('thread/read', { threadId: thread.id, includeTurns: true });
    const turn = read.thread.turns.find((t) => t.id === tracked.turn.id);
    const userTexts = turn?.items.flatMap((item) => (item.type === 'userMessage' ? item.content : [])).map((part) => (part.type === 'text' ? part.text : part.type));
    expect(userTexts).toEqual(['Start.', 'Steered input.']);
  });

  it('interrupts a running turn: turn/completed says interrupted', async () => {
    const { thread } = await client.threadStart({});
    const tracked = await client.startTurn({ threadId: thread.id, input: text('Interrupt me.') });
    await tracked.started;
    expect(await client.interruptTurn({ threadId: thread.id, turnId: tracked.turn.id })).toEqual({});
    const completed = await tracked.completed;
    expect(completed.turn).toMatchObject({ id: tracked.turn.id, status: 'interrupted' });
  });
});

describe('CasClient threads(): every thread, page by page', () => {
  it('follows nextCursor over a home holding more threads than one page', async () => {
    const client = await startClient({ text: 'listed' }, { codexHome: path.join(dir, 'list-home') });
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { thread } = await client.threadStart({});
      await client.turnStart({ threadId: thread.id, input: text(`Thread ${i}.`) }, { wait: true });
      made.push(thread.id);
    }
    let pages = 0;
    client.connection.on('outgoing', (_text, message) => {
      if ((message as { method?: string }).method === 'thread/list') pages++;
    });
    const listed: string[] = [];
    for await (const thread of client.threads({ pageSize: 3 })) listed.push(thread.id);
    expect(listed).toHaveLength(7);
    expect(new Set(listed)).toEqual(new Set(made));
    expect(pages).toBe(3);
    // A home the caller names is kept.
    await client.close();
    expect(existsSync(path.join(dir, 'list-home'))).toBe(true);
  });
});

describe('CasClient server requests answered by the caller', () => {
  const approvalScript: MockScriptInput = {
    steps: [{ functionCall: { name: 'exec_command', arguments: { cmd: 'echo hi', sandbox_permissions: 'require_escalated', justification: 't' } } }],
    afterToolText: 'declined, carrying on',
  };

  it('respond() answers an approval request; the turn completes', async () => {
    const client = await startClient(approvalScript);
    const cwd = await mkdtemp(path.join(dir, 'cwd-'));
    const seen: ServerRequest[] = [];
    const answers: boolean[] = [];
    client.onRequest((request) => {
      seen.push(request);
      // Answered later, not from within the listener: the request waits for respond().
      setTimeout(() => {
        answers.push(client.respond(request.id, { decision: 'decline' }));
        answers.push(client.respond(request.id, { decision: 'accept' }));
      }, 100);
    });
    const { thread } = await client.threadStart({ approvalPolicy: 'untrusted', cwd });
    const commands: string[] = [];
    client.on('item/completed', ({ params: { item } }) => {
      if (item.type === 'commandExecution') commands.push(`${item.command}: ${item.status}`);
    });
    const completed = await client.turnStart({ threadId: thread.id, input: text('Run it.') }, { wait: true });
    expect(seen.map((request) => request.method)).toEqual(['item/commandExecution/requestApproval']);
    expect(seen[0]?.params).toMatchObject({ threadId: thread.id });
    // The first respond answered it; the second found nothing waiting.
    expect(answers).toEqual([true, false]);
    expect(commands).toEqual([expect.stringMatching(/echo hi.*: declined$/)]);
    expect(completed.turn.status).toBe('completed');
    expect(agentTexts(completed.turn.items)).toEqual(['declined, carrying on']);
  });

  it('a request nobody answers gets the default reply after the timeout; the turn is not left waiting', async () => {
    const client = await startClient(approvalScript, { serverRequestTimeoutMs: 300 });
    const cwd = await mkdtemp(path.join(dir, 'cwd-'));
    const seen: ServerRequest[] = [];
    client.onRequest((request) => seen.push(request));
    const replies: unknown[] = [];
    client.connection.on('outgoing', (_text, message) => {
      if (seen.some((request) => request.id === (message as { id?: unknown }).id && !('method' in (message as object)))) replies.push(message);
    });
    const { thread } = await client.threadStart({ approvalPolicy: 'untrusted', cwd });
    const completed = await client.turnStart({ threadId: thread.id, input: text('Run it.') }, { wait: true });
    expect(seen).toHaveLength(1);
    // The fail-closed default: decline, sent as cancel because 0.169.0 does not offer decline here.
    expect(replies).toEqual([{ id: seen[0]!.id, result: { decision: 'cancel' } }]);
    expect(client.respond(seen[0]!.id, { decision: 'accept' })).toBe(false);
    expect(completed.turn.status).toBe('interrupted');
  });
});

describe('CasClient.close()', () => {
  it('stops the app-server, ends streams and removes the temp home it owns', async () => {
    const client = await startClient({ text: 'bye' });
    const pid = client.pid!;
    const home = client.codexHome!;
    const stream = client.notifications();
    expect(isAlive(pid)).toBe(true);
    await client.close();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(home)).toBe(false);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    await expect(client.threadStart({})).rejects.toMatchObject({ kind: 'exited' });
    await client.close();
  });
});
