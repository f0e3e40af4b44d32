import type { Argv } from 'yargs';
import * as z from 'zod';
import { singleString } from './flag-schemas.js';
import { loadParams } from './params.js';

const REQUEST = 'Request:';

/** The method `cas run` sends when none is named, as the original cas runners did. */
export const DEFAULT_RUN_METHOD = 'thread/list';

/** The request to send: `--method` (required, or defaulting to `defaultMethod`) and its params. */
export function withRequestOptions<T>(yargs: Argv<T>, defaultMethod?: string) {
  const method =
    defaultMethod === undefined
      ? { demandOption: true as const, describe: 'JSON-RPC method to call, e.g. thread/list' }
      : { default: defaultMethod, describe: 'JSON-RPC method to call' };
  return yargs
    .option('method', { alias: 'm', type: 'string', group: REQUEST, ...method })
    .option('params', { alias: 'params-json', type: 'string', group: REQUEST, describe: 'Params as a JSON object (default {})' })
    .option('params-file', { type: 'string', group: REQUEST, describe: 'Read params from a JSON file (- for stdin)' });
}

/** Validation of {@link withRequestOptions}. */
export const RequestFlagsSchema = z.object({
  method: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  params: singleString.optional(),
  paramsFile: singleString.optional(),
});
export type RequestFlags = z.infer<typeof RequestFlagsSchema>;

/** The method and its params (loaded from the flag or the file). */
export async function resolveRequestOptions(flags: RequestFlags): Promise<{ method: string; params: Record<string, unknown> }> {
  return { method: flags.method, params: await loadParams(flags.params, flags.paramsFile) };
}
