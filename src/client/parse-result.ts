import type * as z from 'zod';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { AppServerError } from './app-server-error.js';

/**
 * Parses a request's result with `schema`. A result without the shape we depend on throws an
 * {@link AppServerError} with code `unexpected-reply` (kind `protocol`) and
 * the raw result as `data`.
 */
export function parseResult<S extends z.ZodType>(method: string, schema: S, result: unknown): z.output<S> {
  const parsed = schema.safeParse(result);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'result' : `result.${issue.path.map(String).join('.')}`;
  throw new AppServerError(`${method} returned an unexpected result: ${where}: ${issue?.message ?? 'invalid'}`, {
    kind: 'protocol',
    code: LocalErrorCode.unexpectedReply,
    data: result,
  });
}
