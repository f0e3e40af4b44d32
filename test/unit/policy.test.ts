import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type ServerRequestPolicy } from '../../src/policy/choices.js';
import { decideServerRequest } from '../../src/policy/decide.js';
import { resolveExecDecision } from '../../src/policy/exec-decision.js';
import { deferredPolicyHandler } from '../../src/policy/deferred-policy-handler.js';
import { policyHandler } from '../../src/policy/policy-handler.js';
import { ServerRequestTally } from '../../src/policy/server-request-tally.js';

const OFFERED = ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch', 'x'] } }, 'cancel'];
const request = (method: string, params: Record<string, unknown> = {}) => ({ id: 7, method, params: { threadId: 't', turnId: 'u', itemId: 'i', ...params } });
const policy = (change: Partial<ServerRequestPolicy>): ServerRequestPolicy => ({ ...DEFAULT_POLICY, ...change });

describe('resolveExecDecision', () => {
  it('sends the chosen decision when offered, or when nothing is said about what is offered', () => {
    expect(resolveExecDecision('accept', { availableDecisions: OFFERED })).toEqual({ decision: 'accept', label: 'accept' });
    expect(resolveExecDecision('acceptForSession', {})).toEqual({ decision: 'acceptForSession', label: 'acceptForSession' });
    expect(resolveExecDecision('decline', { availableDecisions: null })).toEqual({ decision: 'decline', label: 'decline' });
  });

  it('falls back to decline, then cancel, when the choice is not offered', () => {
    expect(resolveExecDecision('acceptForSession', { availableDecisions: ['accept', 'decline', 'cancel'] })).toEqual({ decision: 'decline', label: 'decline', fellBackFrom: 'acceptForSession' });
    expect(resolveExecDecision('decline', { availableDecisions: OFFERED })).toEqual({ decision: 'cancel', label: 'cancel', fellBackFrom: 'decline' });
    expect(resolveExecDecision('accept', { availableDecisions: ['acceptForSession'] })).toEqual({ decision: 'decline', label: 'decline', fellBackFrom: 'accept' });
  });

  it('accepts with the proposed execpolicy amendment, or the one in the offer', () => {
    expect(resolveExecDecision('acceptWithExecpolicyAmendment', { availableDecisions: OFFERED, proposedExecpolicyAmendment: ['touch', 'y'] })).toEqual({
      decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch', 'y'] } },
      label: 'acceptWithExecpolicyAmendment',
    });
    expect(resolveExecDecision('acceptWithExecpolicyAmendment', { availableDecisions: OFFERED }).decision).toEqual({
      acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch', 'x'] },
    });
    // No amendment anywhere: nothing to accept with.
    expect(resolveExecDecision('acceptWithExecpolicyAmendment', { availableDecisions: ['accept', 'decline'] })).toEqual({
      decision: 'decline',
      label: 'decline',
      fellBackFrom: 'acceptWithExecpolicyAmendment',
    });
  });
});

describe('auto (the original cas\'s default)', () => {
  it('accepts with the proposed amendment, else for the session, else once, always within what is offered', () => {
    expect(resolveExecDecision('auto', { availableDecisions: OFFERED, proposedExecpolicyAmendment: ['touch', 'y'] }).decision).toEqual({
      acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch', 'y'] },
    });
    expect(resolveExecDecision('auto', { availableDecisions: ['accept', 'acceptForSession', 'cancel'] })).toEqual({ decision: 'acceptForSession', label: 'acceptForSession' });
    expect(resolveExecDecision('auto', { availableDecisions: ['accept', 'cancel'] })).toEqual({ decision: 'accept', label: 'accept' });
    // Nothing to say what is offered: as the original, for the session.
    expect(resolveExecDecision('auto', {})).toEqual({ decision: 'acceptForSession', label: 'acceptForSession' });
    // No acceptance offered at all: the safer fallback, said so.
    expect(resolveExecDecision('auto', { availableDecisions: ['cancel'] })).toEqual({ decision: 'cancel', label: 'cancel', fellBackFrom: 'auto' });
  });

  it('accepts file changes for the session', () => {
    expect(decideServerRequest(request('item/fileChange/requestApproval'), policy({ file: 'auto' }))).toMatchObject({ reply: { result: { decision: 'acceptForSession' } } });
  });
});

describe('skill approvals', () => {
  const skillRequest = (extra: Record<string, unknown> = {}) =>
    request('item/commandExecution/requestApproval', { availableDecisions: ['accept', 'acceptForSession', 'cancel'], skillMetadata: { pathToSkillsMd: '/skills/x/SKILL.md' }, ...extra });

  it('answers a command approval raised by a skill\'s script with --skill-approval, the rest with --exec-approval', () => {
    const both = policy({ exec: 'decline', skill: 'approve' });
    expect(decideServerRequest(skillRequest(), both)).toEqual({ kind: 'answer', reply: { result: { decision: 'accept' } }, decision: 'accept', skill: true });
    expect(decideServerRequest(request('item/commandExecution/requestApproval', { availableDecisions: ['accept', 'acceptForSession', 'cancel'] }), both)).toMatchObject({
      reply: { result: { decision: 'cancel' } },
      fellBackFrom: 'decline',
    });
    expect(decideServerRequest(skillRequest(), policy({ exec: 'accept', skill: 'decline' }))).toMatchObject({ reply: { result: { decision: 'cancel' } }, fellBackFrom: 'decline', skill: true });
    expect(decideServerRequest(skillRequest(), policy({ skill: 'auto' }))).toMatchObject({ reply: { result: { decision: 'acceptForSession' } } });
  });

  it('without --skill-approval, follows --exec-approval', () => {
    const outcome = decideServerRequest(skillRequest(), policy({ exec: 'accept' }));
    expect(outcome).toMatchObject({ reply: { result: { decision: 'accept' } } });
    expect(outcome).not.toHaveProperty('skill');
  });

  it('answers the original\'s skill/requestApproval with approve or decline, failing closed', () => {
    expect(decideServerRequest(request('skill/requestApproval'), DEFAULT_POLICY)).toMatchObject({ reply: { result: { decision: 'decline' } } });
    expect(decideServerRequest(request('skill/requestApproval'), policy({ skill: 'auto' }))).toMatchObject({ reply: { result: { decision: 'approve' } } });
    expect(decideServerRequest(request('skill/requestApproval'), policy({ exec: 'auto' }))).toMatchObject({ reply: { result: { decision: 'approve' } } });
    expect(decideServerRequest(request('skill/requestApproval'), policy({ exec: 'accept', skill: 'cancel' }))).toMatchObject({ reply: { result: { decision: 'decline' } } });
  });
});

describe('decideServerRequest', () => {
  it('answers approvals by policy, failing closed by default', () => {
    expect(decideServerRequest(request('item/commandExecution/requestApproval', { availableDecisions: ['accept', 'decline'] }), DEFAULT_POLICY)).toEqual({
      kind: 'answer',
      reply: { result: { decision: 'decline' } },
      decision: 'decline',
    });
    expect(decideServerRequest(request('item/fileChange/requestApproval'), policy({ file: 'acceptForSession' }))).toMatchObject({ reply: { result: { decision: 'acceptForSession' } } });
  });

  it('grants or denies exactly the permissions asked for', () => {
    const asked = request('item/permissions/requestApproval', { permissions: { network: { enabled: true } } });
    expect(decideServerRequest(asked, DEFAULT_POLICY)).toMatchObject({ reply: { result: { permissions: {}, scope: 'turn' } }, decision: 'deny' });
    expect(decideServerRequest(asked, policy({ permissions: 'grant-session' }))).toMatchObject({
      reply: { result: { permissions: { network: { enabled: true } }, scope: 'session' } },
      decision: 'grant-session',
    });
  });

  it('answers user input with the first option of each question, or a fixed response', () => {
    const asked = request('item/tool/requestUserInput', {
      questions: [
        { id: 'q1', header: 'h', question: 'Which?', options: [{ label: 'first', description: '' }, { label: 'second', description: '' }] },
        { id: 'q2', header: 'h', question: 'Free text?', options: null },
      ],
    });
    expect(decideServerRequest(asked, DEFAULT_POLICY)).toMatchObject({ reply: { result: { answers: { q1: { answers: ['first'] }, q2: { answers: [] } } } } });
    const fixed = { answers: { q1: { answers: ['second'] } } };
    expect(decideServerRequest(asked, policy({ userInput: { kind: 'fixed', response: fixed } }))).toMatchObject({ reply: { result: fixed }, decision: 'fixed' });
    expect(decideServerRequest(asked, policy({ userInput: { kind: 'forward' } }))).toEqual({ kind: 'forward' });
  });

  it('declines elicitations and refuses tool calls it cannot host, unless told otherwise', () => {
    expect(decideServerRequest(request('mcpServer/elicitation/request'), DEFAULT_POLICY)).toMatchObject({ reply: { result: { action: 'decline' } } });
    expect(decideServerRequest(request('mcpServer/elicitation/request'), policy({ elicitation: { kind: 'respond', action: 'accept', content: { ok: true } } }))).toMatchObject({
      reply: { result: { action: 'accept', content: { ok: true } } },
    });
    expect(decideServerRequest(request('item/tool/call'), DEFAULT_POLICY)).toMatchObject({ reply: { result: { success: false, contentItems: [{ type: 'inputText' }] } } });
  });

  it('errors at once on auth refresh, legacy v1 approvals and unknown methods', () => {
    expect(decideServerRequest(request('account/chatgptAuthTokens/refresh'), DEFAULT_POLICY)).toMatchObject({ reply: { error: { code: -32601 } }, decision: 'error' });
    expect(decideServerRequest(request('execCommandApproval'), DEFAULT_POLICY)).toMatchObject({ reply: { error: { code: -32602, message: expect.stringMatching(/v2-only/) } } });
    expect(decideServerRequest(request('applyPatchApproval'), DEFAULT_POLICY)).toMatchObject({ reply: { error: { code: -32602 } } });
    expect(decideServerRequest(request('something/new'), DEFAULT_POLICY)).toMatchObject({ reply: { error: { code: -32601, message: 'cas does not handle server request something/new' } } });
    // In the proxy, what cas does not know goes to the orchestrator, as in the original cas.
    expect(decideServerRequest(request('attestation/generate'), policy({ other: 'forward' }))).toEqual({ kind: 'forward' });
  });

  it('tells the time when asked', () => {
    const before = Math.floor(Date.now() / 1000);
    const outcome = decideServerRequest(request('currentTime/read'), DEFAULT_POLICY);
    expect(outcome.kind === 'answer' && (outcome.reply as { result: { currentTimeAt: number } }).result.currentTimeAt).toBeGreaterThanOrEqual(before);
  });
});

describe('policyHandler', () => {
  it('answers at once and counts by method and decision; without an orchestrator, forwarding is an error', () => {
    const tally = new ServerRequestTally();
    const handler = policyHandler(policy({ dynamicTool: { kind: 'forward' } }), tally);
    handler(request('item/commandExecution/requestApproval', { availableDecisions: OFFERED }));
    handler(request('item/commandExecution/requestApproval', { availableDecisions: OFFERED }));
    expect(handler(request('item/tool/call'))).toMatchObject({ error: { message: expect.stringMatching(/forwarding needs cas proxy/) } });
    expect(tally.toArray()).toEqual([
      { method: 'item/commandExecution/requestApproval', decision: 'cancel', fellBackFrom: 'decline', count: 2 },
      { method: 'item/tool/call', decision: 'error', count: 1 },
    ]);
  });
});

describe('deferredPolicyHandler', () => {
  it('answers a request that comes before the load once loaded, and answers at once after it, counting both', async () => {
    const tally = new ServerRequestTally();
    const deferred = deferredPolicyHandler(DEFAULT_POLICY, tally);
    const early = deferred.handler(request('currentTime/read'));
    expect(early).toBeInstanceOf(Promise);
    expect(await early).toMatchObject({ result: { currentTimeAt: expect.any(Number) } });
    await deferred.load();
    const late = deferred.handler(request('item/commandExecution/requestApproval', { availableDecisions: OFFERED }));
    expect(late).not.toBeInstanceOf(Promise);
    expect(late).toEqual(policyHandler(DEFAULT_POLICY)(request('item/commandExecution/requestApproval', { availableDecisions: OFFERED })));
    expect(tally.toArray().map((entry) => entry.method)).toEqual(['currentTime/read', 'item/commandExecution/requestApproval']);
  });
});
