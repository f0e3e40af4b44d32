/** What `--exec-approval` may ask for. */
/** `auto` (the original cas's default): accept, with the execpolicy amendment the server proposes when it offers one, always within what it offers. */
export const EXEC_CHOICES = ['auto', 'accept', 'acceptForSession', 'acceptWithExecpolicyAmendment', 'decline', 'cancel'] as const;
export type ExecChoice = (typeof EXEC_CHOICES)[number];

/** What `--file-approval` may ask for. */
export const FILE_CHOICES = ['auto', 'accept', 'acceptForSession', 'decline', 'cancel'] as const;
export type FileChoice = (typeof FILE_CHOICES)[number];

/**
 * What `--skill-approval` may ask for: the original cas's `auto|approve|decline`, or any command
 * decision. It answers command approvals raised by a skill's script (they carry `skillMetadata`)
 * and the original's `skill/requestApproval` requests.
 */
export const SKILL_CHOICES = ['auto', 'approve', 'accept', 'acceptForSession', 'acceptWithExecpolicyAmendment', 'decline', 'cancel'] as const;
export type SkillChoice = (typeof SKILL_CHOICES)[number];

/** What `--permissions-approval` may ask for. */
export const PERMISSIONS_CHOICES = ['deny', 'grant-turn', 'grant-session'] as const;
export type PermissionsChoice = (typeof PERMISSIONS_CHOICES)[number];

/** What `--elicitation-action` may ask for. */
export const ELICITATION_ACTIONS = ['decline', 'cancel', 'accept'] as const;
export type ElicitationAction = (typeof ELICITATION_ACTIONS)[number];

/** How cas answers each kind of server request. Fail closed: every default declines or errors. */
export interface ServerRequestPolicy {
  /** Command approvals. */
  exec: ExecChoice;
  /** File change approvals. */
  file: FileChoice;
  /** Approvals raised by a skill's script; unset: as `exec`. */
  skill?: SkillChoice;
  /** Permission requests: grant nothing, or what was asked for this turn or session. */
  permissions: PermissionsChoice;
  /** User input: the first option of each question, a fixed response, or forward to the orchestrator (proxy). */
  userInput: { kind: 'first-option' } | { kind: 'fixed'; response: Record<string, unknown> } | { kind: 'forward' };
  /** MCP elicitations. */
  elicitation: { kind: 'respond'; action: ElicitationAction; content?: unknown } | { kind: 'forward' };
  /** Dynamic tool calls: cas hosts no tools, so a fixed response or forward to the orchestrator (proxy). */
  dynamicTool: { kind: 'respond'; response: Record<string, unknown> } | { kind: 'forward' };
  /** ChatGPT token refresh: an error (cas holds no tokens), or forward to the orchestrator (proxy). */
  authRefresh: 'error' | 'forward';
  /** Any other server request (attestation, methods newer than cas): an error, or forward to the orchestrator (proxy). */
  other?: 'error' | 'forward';
}

/** The answer when cas hosts no dynamic tool. */
export const NO_TOOL_RESPONSE = {
  contentItems: [{ type: 'inputText', text: 'cas hosts no dynamic tools: this call was not run' }],
  success: false,
};

/** Declines every approval, denies permissions, picks first options, declines elicitations. */
export const DEFAULT_POLICY: ServerRequestPolicy = {
  exec: 'decline',
  file: 'decline',
  permissions: 'deny',
  userInput: { kind: 'first-option' },
  elicitation: { kind: 'respond', action: 'decline' },
  dynamicTool: { kind: 'respond', response: NO_TOOL_RESPONSE },
  authRefresh: 'error',
};
