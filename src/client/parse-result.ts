import type * as z from 'zod';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { AppServerError } from './app-server-error.js';

/**
 * Where and why a value failed its schema, e.g. `result.turn.items.0.text: Invalid input: expected
 * string, received undefined`. In a union of kinds, the first alternative's reason is the one given
 * (the known kinds come first; the catch-all for new kinds, second).
 */
export function describeIssue(root: string, error: z.ZodError): string {
  let issue: z.core.$ZodIssue | undefined = error.issues[0];
  const path: PropertyKey[] = [];
  for (let depth = 0; issue?.code === 'invalid_union' && issue.errors[0]?.[0] !== undefined && depth < 16; depth++) {
    path.push(...issue.path);
    issue = issue.errors[0][0];
  }
  path.push(...(issue?.path ?? []));
  const where = path.length === 0 ? root : `${root}.${path.map(String).join('.')}`;
  return `${where}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Parses a request's result with `schema`. A result without the shape we depend on throws an
 * {@link AppServerError} with code `unexpected-reply` (kind `protocol`) and
 * the raw result as `data`.
 */
export function parseResult<S extends z.ZodType>(method: string, schema: S, result: unknown): z.output<S> {
  const parsed = schema.safeParse(result);
  if (parsed.success) return parsed.data;
  throw new AppServerError(`${method} returned an unexpected result: ${describeIssue('result', parsed.error)}`, {
    kind: 'protocol',
    code: LocalErrorCode.unexpectedReply,
    data: result,
  });
}
