import * as z from 'zod';

/** Server -> client request methods of the v2 protocol (codex-cli 0.169.0). */
export const ServerRequestMethod = {
  commandApproval: 'item/commandExecution/requestApproval',
  fileChangeApproval: 'item/fileChange/requestApproval',
  permissionsApproval: 'item/permissions/requestApproval',
  userInput: 'item/tool/requestUserInput',
  elicitation: 'mcpServer/elicitation/request',
  dynamicToolCall: 'item/tool/call',
  authTokensRefresh: 'account/chatgptAuthTokens/refresh',
  attestation: 'attestation/generate',
  currentTime: 'currentTime/read',
  /** Legacy v1 approvals: cas is v2-only. */
  legacyExecApproval: 'execCommandApproval',
  legacyPatchApproval: 'applyPatchApproval',
} as const;

/**
 * The skill approval request the original cas answered. codex 0.169.0 does not send it (a skill
 * script's approval comes as a command approval with `skillMetadata`), so it is kept apart from
 * the protocol's methods above; cas still answers it, for servers that do.
 */
export const SKILL_APPROVAL_METHOD = 'skill/requestApproval';

/** One entry of `availableDecisions`: a plain decision, or an object such as `{acceptWithExecpolicyAmendment: {...}}`. */
export const OfferedDecisionSchema = z.union([z.string(), z.record(z.string(), z.unknown())]);

/** What cas reads of a command approval request. */
export const CommandApprovalParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  availableDecisions: z.array(OfferedDecisionSchema).nullable().optional(),
  proposedExecpolicyAmendment: z.array(z.string()).nullable().optional(),
});

/** What cas reads of a file change approval request. */
export const FileChangeApprovalParamsSchema = z.looseObject({ threadId: z.string(), turnId: z.string(), itemId: z.string() });

/** What cas reads of a permissions request: what is asked for, granted or not as is. */
export const PermissionsApprovalParamsSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  permissions: z.looseObject({}),
});

/** One question of a user-input request. */
export const UserInputQuestionSchema = z.looseObject({
  id: z.string(),
  question: z.string(),
  options: z.array(z.looseObject({ label: z.string() })).nullable().optional(),
});

/** What cas reads of a user-input request. */
export const UserInputParamsSchema = z.looseObject({ threadId: z.string(), turnId: z.string(), questions: z.array(UserInputQuestionSchema) });

/** What cas reads of a dynamic tool call. */
export const DynamicToolCallParamsSchema = z.looseObject({ threadId: z.string(), turnId: z.string(), callId: z.string(), tool: z.string() });

/** A command approval decision as sent back. */
export const CommandApprovalDecisionSchema = z.union([
  z.enum(['accept', 'acceptForSession', 'decline', 'cancel']),
  z.strictObject({ acceptWithExecpolicyAmendment: z.strictObject({ execpolicy_amendment: z.array(z.string()) }) }),
]);
export type CommandApprovalDecision = z.infer<typeof CommandApprovalDecisionSchema>;

/** The answers cas (or an orchestrator through the proxy) sends. */
export const CommandApprovalResponseSchema = z.object({ decision: CommandApprovalDecisionSchema });
export const FileChangeApprovalResponseSchema = z.object({ decision: z.enum(['accept', 'acceptForSession', 'decline', 'cancel']) });
export const PermissionsApprovalResponseSchema = z.object({
  permissions: z.looseObject({}),
  scope: z.enum(['turn', 'session']).optional(),
});
export const UserInputResponseSchema = z.object({
  answers: z.record(z.string(), z.object({ answers: z.array(z.string()) })),
});
export const ElicitationResponseSchema = z.object({
  action: z.enum(['accept', 'decline', 'cancel']),
  content: z.unknown().optional(),
});
export const DynamicToolCallResponseSchema = z.object({
  contentItems: z.array(
    z.union([
      z.object({ type: z.literal('inputText'), text: z.string() }),
      z.object({ type: z.literal('inputImage'), imageUrl: z.string() }),
      z.looseObject({ type: z.string() }),
    ]),
  ),
  success: z.boolean(),
});
export const AuthTokensRefreshResponseSchema = z.object({
  accessToken: z.string(),
  chatgptAccountId: z.string(),
  chatgptPlanType: z.string().nullable().optional(),
});
export const CurrentTimeResponseSchema = z.object({ currentTimeAt: z.number().int() });
/** The answer to the original cas's `skill/requestApproval`. */
export const SkillApprovalResponseSchema = z.object({ decision: z.enum(['approve', 'decline']) });

/** True when a command approval was raised by a skill's script: it names the skill's SKILL.md. */
export function isSkillApproval(params: unknown): boolean {
  const metadata = (params as { skillMetadata?: unknown } | null | undefined)?.skillMetadata;
  return typeof metadata === 'object' && metadata !== null;
}

/** Answers an orchestrator gives through `cas/respond` that cas checks before passing them on. */
export const TYPED_RESPONSES: Readonly<Record<string, z.ZodType>> = {
  [ServerRequestMethod.dynamicToolCall]: DynamicToolCallResponseSchema,
  [ServerRequestMethod.userInput]: UserInputResponseSchema,
  [ServerRequestMethod.authTokensRefresh]: AuthTokensRefreshResponseSchema,
  [ServerRequestMethod.elicitation]: ElicitationResponseSchema,
  [SKILL_APPROVAL_METHOD]: SkillApprovalResponseSchema,
};
