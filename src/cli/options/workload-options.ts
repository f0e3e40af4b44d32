import type { MockScript } from '../../mock-model/mock-script.js';
import type { ServerRequestPolicy } from '../../policy/choices.js';
import { redactorFor, type Redactor } from '../../report/redactor.js';
import { resolveMockModel, type MockModelFlags } from './mock-model-options.js';
import { resolvePolicy, type PolicyFlags } from './policy-options.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionFlags } from './session-options.js';
import type { BudgetChange } from '../../budget/budget-pacer.js';
import { announceBudget } from './budget-options.js';
import { UsageError } from '../usage-error.js';

/** What every workload command (run, batch, mine, proxy) resolves from its flags, in one place. */
export interface ResolvedWorkloadOptions extends ResolvedSessionOptions {
  /** The loopback model's script, with `--mock-model`. */
  mockModel: MockScript | undefined;
  /** How server requests are answered. */
  policy: ServerRequestPolicy;
  /** Keeps secrets out of everything the command writes. */
  redactor: Redactor;
  /** `--budget-pacing`. */
  budgetPacing: boolean;
  /** Says when the budget changes what may be dispatched. */
  onBudget(change: BudgetChange): void;
}

/** The session, mock model, server-request policy and redactor of a workload; `canForward` only for the proxy. */
export async function resolveWorkloadOptions(
  flags: SessionFlags & MockModelFlags & PolicyFlags & { budgetPacing?: boolean },
  canForward: boolean,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<ResolvedWorkloadOptions> {
  const session = await resolveSessionOptions(flags);
  const mockModel = await resolveMockModel(flags);
  if (mockModel !== undefined && session.target.mode === 'connect') throw new UsageError('--mock-model points the servers cas starts at a loopback model; a server reached with --connect uses its own');
  const policy = resolvePolicy(flags, canForward);
  const budget = { budgetPacing: flags.budgetPacing ?? false, onBudget: announceBudget(stderr) };
  return { ...session, mockModel, policy, redactor: redactorFor({ ...session, env: process.env }), ...budget };
}
