import type { BudgetChange } from './budget-pacer.js';

/** A percentage as people read it. */
function percent(value: number | null): string {
  return value === null ? '?' : `${Math.round(value * 10) / 10}%`;
}

/** One line saying what the budget now allows, and why (for stderr, or the proxy's `cas/budget` event). */
export function describeBudgetChange(change: BudgetChange): string {
  if (change.error !== null && change.tier === 'unknown') return `budget not known (${change.error}): requests as configured`;
  const why = change.windowKind === null ? 'no rate-limit window reported' : `${change.windowKind} window ${percent(change.usedPercent)} used`;
  const allows =
    change.limit === 0
      ? `dispatching nothing new until ${change.until === null ? 'the budget is read again' : `the window resets at ${change.until}`}`
      : change.limit === 1
        ? 'one request at a time'
        : 'requests as configured';
  return `budget ${change.tier} (${why}): ${allows}`;
}
