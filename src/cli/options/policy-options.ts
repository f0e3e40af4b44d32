import type { Argv } from 'yargs';
import * as z from 'zod';
import {
  DEFAULT_POLICY,
  ELICITATION_ACTIONS,
  EXEC_CHOICES,
  FILE_CHOICES,
  PERMISSIONS_CHOICES,
  SKILL_CHOICES,
  type ServerRequestPolicy,
} from '../../policy/choices.js';
import { UsageError } from '../usage-error.js';
import { singleString } from './flag-schemas.js';
import { parseJsonValue, parseParamsJson } from './params.js';
import { DynamicToolCallResponseSchema, UserInputResponseSchema } from '../../protocol/server-requests.js';

const POLICY = 'Server requests (approvals, tool calls):';
const FORWARD = 'forward';

/** How server requests are answered: the same flags for run, batch, mine and proxy. */
export function withPolicyOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('exec-approval', { type: 'string', group: POLICY, describe: `Command approvals: ${EXEC_CHOICES.join('|')} (default decline)` })
    .option('file-approval', { type: 'string', group: POLICY, describe: `File change approvals: ${FILE_CHOICES.join('|')} (default decline)` })
    .option('skill-approval', { type: 'string', group: POLICY, describe: `Approvals raised by a skill's script (skillMetadata): ${SKILL_CHOICES.join('|')} (default: as --exec-approval)` })
    .option('read-only', { type: 'boolean', default: false, group: POLICY, describe: 'Decline every command, file change and skill script' })
    .option('permissions-approval', { type: 'string', group: POLICY, describe: `Permission requests: ${PERMISSIONS_CHOICES.join('|')} (default deny)` })
    .option('user-input-response', { type: 'string', group: POLICY, describe: 'Answer to user-input requests, as JSON {"answers":...} (default: the first option of each question)' })
    .option('elicitation-action', { type: 'string', group: POLICY, describe: `MCP elicitations: ${ELICITATION_ACTIONS.join('|')} (default decline)` })
    .option('elicitation-content', { type: 'string', group: POLICY, describe: 'Content sent with --elicitation-action accept (JSON)' })
    .option('dynamic-tool-response', { type: 'string', group: POLICY, describe: 'Answer to dynamic tool calls, as JSON (default: success false, no tool hosted)' });
}

const choice = <T extends readonly [string, ...string[]]>(values: T, extra: string[] = []) =>
  z.enum([...values, ...extra] as [string, ...string[]], { error: `must be one of ${[...values, ...extra].join(', ')}` }).optional();

/** Validation of {@link withPolicyOptions}; `forward` is only offered where an orchestrator can answer (the proxy). */
export function policyFlagsSchema(canForward: boolean) {
  const forward = canForward ? [FORWARD] : [];
  return z.object({
    execApproval: choice(EXEC_CHOICES),
    fileApproval: choice(FILE_CHOICES),
    skillApproval: choice(SKILL_CHOICES),
    readOnly: z.boolean(),
    permissionsApproval: choice(PERMISSIONS_CHOICES),
    userInputResponse: singleString.optional(),
    elicitationAction: choice(ELICITATION_ACTIONS, forward),
    elicitationContent: singleString.optional(),
    dynamicToolResponse: singleString.optional(),
  });
}
export type PolicyFlags = z.infer<ReturnType<typeof policyFlagsSchema>>;

/** A JSON answer flag checked against the answer's schema, or `forward` where forwarding is allowed. */
function answerOrForward(value: string, flag: string, canForward: boolean, schema: z.ZodType, shape: string): Record<string, unknown> | typeof FORWARD {
  if (value === FORWARD) {
    if (!canForward) throw new UsageError(`${flag} forward needs cas proxy: only an orchestrator can answer forwarded requests`);
    return FORWARD;
  }
  const answer = parseParamsJson(value, flag);
  if (!schema.safeParse(answer).success) throw new UsageError(`${flag} must look like ${shape}`);
  return answer;
}

/** The policy the flags describe; conflicting or malformed flags are usage errors. */
export function resolvePolicy(flags: PolicyFlags, canForward: boolean): ServerRequestPolicy {
  if (flags.readOnly && [flags.execApproval, flags.fileApproval, flags.skillApproval].some((choice) => (choice ?? 'decline') !== 'decline')) {
    throw new UsageError('--read-only declines every approval: drop --exec-approval / --file-approval / --skill-approval, or --read-only');
  }
  if (flags.elicitationContent !== undefined && flags.elicitationAction !== 'accept') {
    throw new UsageError('--elicitation-content is only sent with --elicitation-action accept');
  }
  const userInput =
    flags.userInputResponse === undefined
      ? undefined
      : answerOrForward(flags.userInputResponse, '--user-input-response', canForward, UserInputResponseSchema, '{"answers":{"<question id>":{"answers":["..."]}}}');
  const tool =
    flags.dynamicToolResponse === undefined
      ? undefined
      : answerOrForward(flags.dynamicToolResponse, '--dynamic-tool-response', canForward, DynamicToolCallResponseSchema, '{"contentItems":[{"type":"inputText","text":"..."}],"success":true}');
  const action = flags.elicitationAction;
  return {
    exec: flags.readOnly ? 'decline' : ((flags.execApproval as ServerRequestPolicy['exec'] | undefined) ?? DEFAULT_POLICY.exec),
    file: flags.readOnly ? 'decline' : ((flags.fileApproval as ServerRequestPolicy['file'] | undefined) ?? DEFAULT_POLICY.file),
    ...(flags.readOnly ? { skill: 'decline' as const } : flags.skillApproval === undefined ? {} : { skill: flags.skillApproval as NonNullable<ServerRequestPolicy['skill']> }),
    permissions: (flags.permissionsApproval as ServerRequestPolicy['permissions'] | undefined) ?? DEFAULT_POLICY.permissions,
    userInput: userInput === undefined ? (canForward ? { kind: 'forward' } : DEFAULT_POLICY.userInput) : userInput === FORWARD ? { kind: 'forward' } : { kind: 'fixed', response: userInput },
    elicitation:
      action === FORWARD || (action === undefined && canForward)
        ? { kind: 'forward' }
        : {
            kind: 'respond',
            action: (action as 'accept' | 'decline' | 'cancel' | undefined) ?? 'decline',
            ...(flags.elicitationContent === undefined ? {} : { content: parseJsonValue(flags.elicitationContent, '--elicitation-content') }),
          },
    dynamicTool: tool === undefined ? (canForward ? { kind: 'forward' } : DEFAULT_POLICY.dynamicTool) : tool === FORWARD ? { kind: 'forward' } : { kind: 'respond', response: tool },
    // In the proxy, what is not an approval goes to the orchestrator by default, as in the original cas.
    authRefresh: canForward ? 'forward' : 'error',
    other: canForward ? 'forward' : 'error',
  };
}
