import { truncate } from '../report/truncate.js';
import type { SmokeCheck } from './smoke-result.js';

/** What a check body reports: ok or not, and one line. */
export interface CheckOutcome {
  ok: boolean;
  detail: string;
}

/** The first line of an error's message, shortened: a check's detail is one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return truncate(text.split('\n')[0] ?? '', 300);
}

/** Runs one check, timing it; a body that throws is a failed check with the error as its detail. */
export async function runCheck(name: string, body: () => Promise<CheckOutcome>): Promise<SmokeCheck> {
  const start = performance.now();
  let outcome: CheckOutcome;
  try {
    outcome = await body();
  } catch (error) {
    outcome = { ok: false, detail: oneLine(error) };
  }
  return { name, ok: outcome.ok, detail: outcome.detail, ms: Math.round((performance.now() - start) * 10) / 10 };
}

/** A check that could not run, and why. */
export function notRun(name: string, why: string): SmokeCheck {
  return { name, ok: false, detail: `not run: ${why}`, ms: 0 };
}
