import type * as z from 'zod';
import { UsageError } from '../usage-error.js';

function flagName(key: PropertyKey | undefined): string {
  if (typeof key !== 'string') return 'input';
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Parses argv with a zod schema; the first problem becomes a one-line {@link UsageError} naming the flag. */
export function validate<T extends z.ZodType>(schema: T, argv: Record<string, unknown>): z.infer<T> {
  // Flags are parsed once: zod's eval-compiled fast path would cost more to build than it saves.
  const parsed = schema.safeParse(argv, { jitless: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path[0];
  const got = typeof key === 'string' && key in argv ? ` (got ${show(argv[key])})` : '';
  throw new UsageError(`${flagName(key)} ${issue.message}${got}`);
}
