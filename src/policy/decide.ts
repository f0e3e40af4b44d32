import type { ServerRequestReply } from '../client/connection.js';
import { RpcErrorCode } from '../protocol/error-codes.js';
import type { ServerRequest } from '../protocol/messages.js';
import {
  CommandApprovalParamsSchema,
  isSkillApproval,
  SKILL_APPROVAL_METHOD,
  PermissionsApprovalParamsSchema,
  ServerRequestMethod as M,
  UserInputParamsSchema,
} from '../protocol/server-requests.js';
import type { ExecChoice, ServerRequestPolicy, SkillChoice } from './choices.js';
import { resolveExecDecision } from './exec-decision.js';

/** What the policy says to do with a server request. */
export type PolicyOutcome =
  | {
      kind: 'answer';
      reply: ServerRequestReply;
      /** A short name of the answer, for reports: `decline`, `grant-turn`, `first-option`, `error`, ... */
      decision: string;
      /** Set when the chosen decision was not offered and a safer one was sent instead. */
      fellBackFrom?: string;
      /** Set when `--skill-approval` decided (a command approval raised by a skill's script). */
      skill?: true;
    }
  /** Left to the orchestrator (proxy only). */
  | { kind: 'forward' };

function error(code: number, message: string): PolicyOutcome {
  return { kind: 'answer', reply: { error: { code, message } }, decision: 'error' };
}

function answer(result: unknown, decision: string, fellBackFrom?: string): PolicyOutcome {
  return fellBackFrom === undefined ? { kind: 'answer', reply: { result }, decision } : { kind: 'answer', reply: { result }, decision, fellBackFrom };
}

/** The first option of each question (an empty answer where a question has none). */
function firstOptions(params: unknown): Record<string, { answers: string[] }> {
  const parsed = UserInputParamsSchema.safeParse(params);
  if (!parsed.success) return {};
  return Object.fromEntries(parsed.data.questions.map((question) => [question.id, { answers: question.options?.[0] ? [question.options[0].label] : [] }]));
}

/** The command decision a skill choice stands for (the original's `approve` is a plain accept). */
function skillAsExec(choice: SkillChoice): ExecChoice {
  return choice === 'approve' ? 'accept' : choice;
}

/** The original's `skill/requestApproval` answer: approve when the choice accepts, else decline. */
function approves(choice: ExecChoice): boolean {
  return choice !== 'decline' && choice !== 'cancel';
}

/** Decides the answer to one server request; never throws, never leaves one unanswered (but for forward). */
export function decideServerRequest(request: ServerRequest, policy: ServerRequestPolicy): PolicyOutcome {
  switch (request.method) {
    case M.commandApproval:
    case M.fileChangeApproval: {
      const offer = CommandApprovalParamsSchema.partial().safeParse(request.params);
      const bySkill = request.method === M.commandApproval && policy.skill !== undefined && isSkillApproval(request.params);
      const choice = bySkill ? skillAsExec(policy.skill!) : request.method === M.commandApproval ? policy.exec : policy.file;
      const resolved = resolveExecDecision(choice, offer.success ? offer.data : {});
      const outcome = answer({ decision: resolved.decision }, resolved.label, resolved.fellBackFrom);
      return bySkill && outcome.kind === 'answer' ? { ...outcome, skill: true } : outcome;
    }
    case SKILL_APPROVAL_METHOD: {
      const decision = approves(policy.skill === undefined ? policy.exec : skillAsExec(policy.skill)) ? 'approve' : 'decline';
      return answer({ decision }, decision);
    }
    case M.permissionsApproval: {
      const asked = PermissionsApprovalParamsSchema.safeParse(request.params);
      if (policy.permissions === 'deny' || !asked.success) return answer({ permissions: {}, scope: 'turn' }, 'deny');
      return answer({ permissions: asked.data.permissions, scope: policy.permissions === 'grant-session' ? 'session' : 'turn' }, policy.permissions);
    }
    case M.userInput:
      if (policy.userInput.kind === 'forward') return { kind: 'forward' };
      if (policy.userInput.kind === 'fixed') return answer(policy.userInput.response, 'fixed');
      return answer({ answers: firstOptions(request.params) }, 'first-option');
    case M.elicitation: {
      if (policy.elicitation.kind === 'forward') return { kind: 'forward' };
      const { action, content } = policy.elicitation;
      return answer(action === 'accept' ? { action, content: content ?? {} } : { action }, action);
    }
    case M.dynamicToolCall:
      if (policy.dynamicTool.kind === 'forward') return { kind: 'forward' };
      return answer(policy.dynamicTool.response, 'fixed');
    case M.authTokensRefresh:
      if (policy.authRefresh === 'forward') return { kind: 'forward' };
      return error(RpcErrorCode.methodNotFound, 'cas holds no ChatGPT tokens and cannot refresh them');
    case M.currentTime:
      return answer({ currentTimeAt: Math.floor(Date.now() / 1000) }, 'now');
    case M.legacyExecApproval:
    case M.legacyPatchApproval:
      return error(RpcErrorCode.invalidParams, `cas is v2-only: ${request.method} is a legacy v1 request; use item/commandExecution/requestApproval and item/fileChange/requestApproval`);
    default:
      if (policy.other === 'forward') return { kind: 'forward' };
      return error(RpcErrorCode.methodNotFound, `cas does not handle server request ${request.method}`);
  }
}
