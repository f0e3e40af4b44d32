import { roundMs } from '../report/round-ms.js';
import type { OutcomeError, RequestOutcome } from '../runner/execute-request.js';
import type { Redactor } from '../report/redactor.js';
import { stringifyJson } from '../json/stringify.js';

/** One output line of `cas batch`. */
export interface BatchResult {
  /** The input line's `id`, or null. */
  id: string | number | null;
  /** 1-based input line number. */
  line: number;
  ok: boolean;
  result?: unknown;
  error?: OutcomeError;
  latencyMs: number;
  attempts: number;
  /** The instance that ran it; null when none did (bad line, none left). */
  instance: number | null;
}

/** The output line for a request's outcome. */
export function resultLine(id: string | number | null, line: number, instance: number | null, outcome: RequestOutcome, redactor: Redactor): string {
  const answer = redactor.value(outcome.ok ? { result: outcome.result } : { error: outcome.error });
  const result: BatchResult = { id, line, ok: outcome.ok, ...answer, latencyMs: roundMs(outcome.latencyMs), attempts: outcome.attempts, instance };
  // A result may nest deeper than JSON.stringify can go: it is written whole all the same.
  return `${stringifyJson(result)}\n`;
}

/** The output line for an input line that is not a request. */
export function badLine(id: string | number | null, line: number, error: OutcomeError): string {
  const result: BatchResult = { id, line, ok: false, error, latencyMs: 0, attempts: 0, instance: null };
  return `${JSON.stringify(result)}\n`;
}
