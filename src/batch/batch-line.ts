import * as z from 'zod';
import { jsonDepth, MAX_PARAMS_DEPTH } from '../json/depth.js';
import { RequestIdSchema } from '../protocol/messages.js';

/** One input line of `cas batch`: a request. */
export const BatchLineSchema = z.looseObject({
  /** Echoed in the output, so callers can match results; optional. */
  id: RequestIdSchema.nullable().optional(),
  method: z.string({ error: 'needs a "method" string' }).min(1, { error: 'needs a non-empty "method"' }),
  params: z.record(z.string(), z.unknown(), { error: '"params" must be a JSON object' }).optional(),
});

/** What an input line turned out to be. */
export type ParsedLine =
  | { kind: 'blank' }
  | { kind: 'request'; id: string | number | null; method: string; params: Record<string, unknown> }
  | { kind: 'bad'; id: string | number | null; message: string };

/** Parses one line: blank lines are skipped, anything but a request object is `bad`, with why. */
export function parseBatchLine(text: string, lineNumber: number): ParsedLine {
  if (text.trim().length === 0) return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'bad', id: null, message: `line ${lineNumber}: not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'bad', id: null, message: `line ${lineNumber}: not a JSON object` };
  }
  const parsed = BatchLineSchema.safeParse(value);
  const rawId = (value as { id?: unknown }).id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
  if (!parsed.success) return { kind: 'bad', id, message: `line ${lineNumber}: ${parsed.error.issues[0]?.message ?? 'not a request'}` };
  if (parsed.data.params !== undefined && jsonDepth(parsed.data.params, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
    return { kind: 'bad', id, message: `line ${lineNumber}: "params" nests deeper than ${MAX_PARAMS_DEPTH} levels; the app-server would drop it unread` };
  }
  // The app-server wants a params object even when it is empty.
  return { kind: 'request', id, method: parsed.data.method, params: parsed.data.params ?? {} };
}
