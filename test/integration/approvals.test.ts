import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casRun } from '../helpers/cas-cli.js';
import { ProxyDriver } from '../helpers/proxy-driver.js';

let dir: string;
let script: string;
const APPROVAL = 'item/commandExecution/requestApproval';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-approvals-'));
  script = path.join(dir, 'exec-script.json');
  // The model asks to run a command outside the sandbox: on an untrusted thread the real server asks the client first.
  await writeFile(script, JSON.stringify({ steps: [{ functionCall: { name: 'exec_command', arguments: { cmd: 'touch marker.txt', sandbox_permissions: 'require_escalated', justification: 'test' } } }] }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs one real turn whose model asks to run `touch marker.txt`, under the given policy flags. */
async function turnWithPolicy(name: string, policy: string[]) {
  const work = path.join(dir, name);
  await mkdir(work);
  const result = await casRun([
    '--method', 'turn/start', '--mock-model', '--mock-script', script, '--turn-timeout-ms', '30000',
    '--thread-params', JSON.stringify({ approvalPolicy: 'untrusted', cwd: work }), ...policy,
  ]);
  return { ...result, ran: (await readdir(work)).includes('marker.txt') };
}

describe('approval policies on real approval requests', () => {
  it('accept: the command runs and leaves its marker', async () => {
    const { report, ran } = await turnWithPolicy('accept', ['--exec-approval', 'accept']);
    expect(ran).toBe(true);
    expect(report.serverRequests).toEqual([{ method: APPROVAL, decision: 'accept', count: 1 }]);
    expect(report.requests.ok).toBe(1);
    // The tool result went back to the model, which then finished the turn.
    expect(report.mockModel).toMatchObject({ toolFollowUps: 1 });
  });

  it('acceptWithExecpolicyAmendment: the command runs, with the proposed amendment', async () => {
    const { report, ran } = await turnWithPolicy('amend', ['--exec-approval', 'acceptWithExecpolicyAmendment']);
    expect(ran).toBe(true);
    expect(report.serverRequests).toEqual([{ method: APPROVAL, decision: 'acceptWithExecpolicyAmendment', count: 1 }]);
  });

  it('the default declines: nothing runs (the server offers cancel, not decline, so cas cancels and says so)', async () => {
    const { report, ran } = await turnWithPolicy('default', []);
    expect(ran).toBe(false);
    expect(report.serverRequests).toEqual([{ method: APPROVAL, decision: 'cancel', fellBackFrom: 'decline', count: 1 }]);
    // cancel interrupts the turn.
    expect(report.errors).toEqual([{ code: 'turn-interrupted', message: 'turn ended interrupted', count: 1 }]);
  });

  it('acceptForSession when not offered falls back to the safer offered decision', async () => {
    const { report, ran } = await turnWithPolicy('session', ['--exec-approval', 'acceptForSession']);
    expect(ran).toBe(false);
    expect(report.serverRequests).toEqual([{ method: APPROVAL, decision: 'cancel', fellBackFrom: 'acceptForSession', count: 1 }]);
  });

  it('--read-only and cancel: nothing runs', async () => {
    const readOnly = await turnWithPolicy('read-only', ['--read-only']);
    expect(readOnly.ran).toBe(false);
    const cancel = await turnWithPolicy('cancel', ['--exec-approval', 'cancel']);
    expect(cancel.ran).toBe(false);
    expect(cancel.report.serverRequests).toEqual([{ method: APPROVAL, decision: 'cancel', count: 1 }]);
  });

  it('the proxy answers by policy and says how in its events', async () => {
    const work = path.join(dir, 'proxy');
    await mkdir(work);
    const proxy = new ProxyDriver(['--mock-model', '--mock-script', script, '--exec-approval', 'acceptForSession']);
    await proxy.waitFor((event) => event.type === 'cas/ready');
    proxy.send({ type: 'cas/request', clientRequestId: 'thread', method: 'thread/start', params: { approvalPolicy: 'untrusted', cwd: work } });
    const thread = (await proxy.reply('thread')).msg!.result as { thread: { id: string } };
    proxy.send({ type: 'cas/request', clientRequestId: 'turn', method: 'turn/start', params: { threadId: thread.thread.id, input: [{ type: 'text', text: 'go' }] } });
    const request = await proxy.waitFor((event) => event.type === 'cas/fromServer' && event.msg?.method === APPROVAL);
    const answer = await proxy.waitFor((event) => event.type === 'cas/toServer' && event.kind === 'response' && event.msg?.id === request.msg!.id);
    expect(answer).toMatchObject({ threadId: thread.thread.id, policy: { decision: 'cancel', fellBackFrom: 'acceptForSession' }, msg: { result: { decision: 'cancel' } } });
    // Answered by policy: never forwarded.
    expect(proxy.events.some((event) => event.type === 'cas/serverRequest')).toBe(false);
    await proxy.waitFor((event) => event.msg?.method === 'turn/completed');
    expect((await proxy.exit()).exitCode).toBe(0);
    expect(await readdir(work)).not.toContain('marker.txt');
  });
});
