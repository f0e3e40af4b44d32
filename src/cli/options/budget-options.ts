import type { Argv } from 'yargs';
import * as z from 'zod';
import type { BudgetChange } from '../../budget/budget-pacer.js';
import { describeBudgetChange } from '../../budget/describe-budget.js';

const BUDGET = 'Rate-limit budget:';

/** `--budget-pacing`: for the commands that dispatch work (run, batch, mine, proxy). */
export function withBudgetOptions<T>(yargs: Argv<T>) {
  return yargs.option('budget-pacing', {
    type: 'boolean',
    default: false,
    group: BUDGET,
    describe: "Pace work by the account's rate-limit budget (account/rateLimits/read and its updates): one request at a time when tight, nothing new when critical until the window resets",
  });
}
export const BudgetFlagsSchema = z.object({ budgetPacing: z.boolean() });

/** Says on stderr when the budget changes what may be dispatched. */
export function announceBudget(stderr: NodeJS.WritableStream): (change: BudgetChange) => void {
  return (change) => {
    stderr.write(`cas: ${describeBudgetChange(change)}\n`);
  };
}
